"""JSON in and out: stable bytes, Chinese intact, clear errors on malformed files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import kgxp
from kgxp import ScenarioError, dump_scenario, load_scenario, parse_scenario, save_scenario
from kgxp.files.scenario_json import scenario_json_schema
from kgxp.schemas import json_schema
from tests.conftest import ROOT
from tests.factories import scenario_data


def test_roundtrip_equality_and_identical_bytes(tmp_path: Path) -> None:
    scenario = parse_scenario(scenario_data())
    path = tmp_path / "s.json"
    save_scenario(scenario, path)
    loaded = load_scenario(path)
    assert loaded == scenario
    save_scenario(loaded, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_chinese_is_kept_as_utf8_not_escaped() -> None:
    text = dump_scenario(parse_scenario(scenario_data()))
    assert "教师T1" in text
    assert "\\u" not in text
    assert text.endswith("}\n")
    json.loads(text)  # still plain JSON


def test_one_record_per_line() -> None:
    text = dump_scenario(parse_scenario(scenario_data()))
    teacher_lines = [line for line in text.splitlines() if '"id": "T' in line]
    assert len(teacher_lines) == 3


def test_bytes_with_bom_are_accepted() -> None:
    raw = dump_scenario(parse_scenario(scenario_data())).encode("utf-8-sig")
    assert parse_scenario(raw).teachers[0].name == "教师T1"


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        (b'{"county": ', "malformed_json", "line 1, column 12"),
        (b"\xff\xfe{}", "not_utf8", "byte 0"),
        (b"[1, 2]", "not_an_object", "(top level)"),
        (b'{"a": 1}\n}', "malformed_json", "line 2, column 1"),
        (b"[" * 100_000 + b"]" * 100_000, "nested_too_deeply", "line 1, column 101"),
        (b'{"a":\n  ' + b'{"b": [' * 3000, "nested_too_deeply", "line 2, column 352"),
    ],
)
def test_malformed_files_raise_scenario_error(raw: bytes, code: str, field: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(raw)
    (problem,) = caught.value.problems
    assert (problem.record, problem.code, problem.field) == ("file", code, field)


def test_brackets_inside_strings_do_not_nest() -> None:
    # Deep nesting is found by the parser, not by counting brackets: a name made of
    # brackets is an ordinary (here incomplete) scenario.
    with pytest.raises(ScenarioError) as caught:
        parse_scenario('{"county": "' + "[{" * 5000 + '"}')
    assert "nested_too_deeply" not in caught.value.codes()
    assert "competition_month" in {p.field for p in caught.value.problems}


def test_missing_top_level_fields_are_listed() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario("{}")
    fields = sorted(p.field for p in caught.value.problems)
    assert fields == ["competition_month", "county", "posts", "schools", "staffing", "teachers"]


def test_published_schema_is_current() -> None:
    published = json.loads((ROOT / "docs" / "scenario.schema.json").read_text(encoding="utf-8"))
    assert (
        published
        == json_schema("scenario")
        == {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **scenario_json_schema(),
        }
    ), "regenerate with: kgxp schema --out docs/scenario.schema.json"


def test_schema_describes_rule_fields() -> None:
    schema = scenario_json_schema()
    post = schema["$defs"]["Post"]["properties"]
    assert "R2" in post["reserved"]["description"]
    assert schema["properties"]["competition_month"]["pattern"].startswith("^")


def test_decoding_runs_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    # The decode of a large file must not pay for the collector's passes over its objects
    # (issue 19: 1.14 s against 0.36 s at 100,000 teachers); afterwards it is back on.
    import gc

    import kgxp.files.scenario_json as scenario_json

    seen: list[bool] = []
    real = json.loads

    def watching(text: str, **options: Any) -> object:
        seen.append(gc.isenabled())
        return real(text, **options)

    monkeypatch.setattr(scenario_json.json, "loads", watching)
    # "auto" pauses only in a single-threaded process, and earlier tests (a Dask cluster,
    # a server) may leave threads behind: ask for the pause whatever the threads.
    previous = kgxp.set_collector_pause("always")
    request.addfinalizer(lambda: kgxp.set_collector_pause(previous))
    assert gc.isenabled()
    text = json.dumps(scenario_data(), ensure_ascii=False)
    assert parse_scenario(text) == parse_scenario(scenario_data())
    assert seen == [False]
    assert gc.isenabled()
    with pytest.raises(ScenarioError, match=r"line 1, column"):
        parse_scenario(text[:-1])
    assert gc.isenabled()
