"""JSON in and out: stable bytes, Chinese intact, clear errors on malformed files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import kgxp
from kgxp import (
    ScenarioError,
    decode_json,
    dump_scenario,
    load_scenario,
    parse_scenario,
    save_scenario,
)
from kgxp._internal.nesting import NESTING_LIMIT, nested_deeper_than
from kgxp._internal.nesting import _crossing as nesting_problem_at
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


def _nested(depth: int, inside: str = "1") -> str:
    return "[" * depth + inside + "]" * depth


# Past jiter's 201 levels, the standard parser decides: it follows 995 levels on Python 3.11,
# 1,497 on 3.12 and 9,998 on 3.13, so a deep file was data on one Python and refused on
# another, and a truncated one "malformed" on 3.13 only. kgxp's limit is its own.
@pytest.mark.parametrize("depth", [202, 500, 1_200, 5_000, 20_000])
@pytest.mark.parametrize("ending", ["whole", "truncated", "a key twice"])
def test_nesting_past_the_limit_is_refused_the_same_on_every_python(
    depth: int, ending: str
) -> None:
    text = {
        "whole": _nested(depth),
        "truncated": "[" * depth,
        # A key twice sends the text past jiter to the standard parser, nesting or not.
        "a key twice": '{"a": 1, "a": 2, "b": ' + _nested(depth) + "}",
    }[ending]
    with pytest.raises(ScenarioError) as caught:
        decode_json(text)
    (problem,) = caught.value.problems
    column = 101 if ending != "a key twice" else 122
    assert (problem.code, problem.field) == ("nested_too_deeply", f"line 1, column {column}")


# JSON values whose strings are made of what could mislead a count of brackets.
_TRICKY_JSON = st.recursive(
    st.none() | st.integers() | st.text(alphabet="[]{}\"\\\n'a字", max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\a', max_size=4), inner, max_size=3)
    ),
    max_leaves=40,
)


@given(_TRICKY_JSON, st.integers(0, 8), st.booleans())
@example(['"[[[[[['], 1, True)  # an escaped quote in a string
@example(["\\", "[[[[[["], 1, True)  # an escaped backslash before a string's end
def test_the_quick_depth_check_agrees_with_the_located_scan(
    value: object, depth: int, ascii_only: bool
) -> None:
    # Every file jiter refuses is measured by the quick check (a pass in C); the located
    # scan is the reference: brackets inside strings, escaped quotes and backslashes.
    text = json.dumps(value, ensure_ascii=ascii_only, indent=None if ascii_only else 1)
    assert nested_deeper_than(text, depth) == (nesting_problem_at(text, depth) is not None)


def test_nesting_up_to_the_limit_is_read_by_either_parser() -> None:
    deepest = _nested(NESTING_LIMIT - 1)  # the object below adds a level
    assert decode_json('{"b": ' + deepest + "}") == json.loads('{"b": ' + deepest + "}")
    with pytest.raises(ScenarioError) as caught:  # the standard parser's path
        decode_json('{"a": 1, "a": 2, "b": ' + deepest + "}")
    assert caught.value.codes() == ["duplicate_key"]


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

    import kgxp._internal.json_decode as json_decode

    seen: list[tuple[str, bool]] = []
    real_loads, real_from_json = json.loads, json_decode.jiter.from_json

    def watching_loads(text: str, **options: Any) -> object:
        seen.append(("json", gc.isenabled()))
        return real_loads(text, **options)

    def watching_jiter(raw: bytes, **options: Any) -> object:
        seen.append(("jiter", gc.isenabled()))
        return real_from_json(raw, **options)

    monkeypatch.setattr(json_decode.json, "loads", watching_loads)
    monkeypatch.setattr(json_decode.jiter, "from_json", watching_jiter)
    # "auto" pauses only in a single-threaded process, and earlier tests (a Dask cluster,
    # a server) may leave threads behind: ask for the pause whatever the threads.
    previous = kgxp.set_collector_pause("always")
    request.addfinalizer(lambda: kgxp.set_collector_pause(previous))
    assert gc.isenabled()
    text = json.dumps(scenario_data(), ensure_ascii=False)
    assert parse_scenario(text) == parse_scenario(scenario_data())
    assert seen == [("jiter", False)]
    assert gc.isenabled()
    with pytest.raises(ScenarioError, match=r"line 1, column"):
        parse_scenario(text[:-1])  # refused by jiter, then reported by the json module
    assert seen[1:] == [("jiter", False), ("json", False)]
    assert gc.isenabled()


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_DOCUMENTS, st.booleans(), st.booleans())
def test_the_fast_decoder_decodes_as_the_json_module(
    document: Any, ascii_only: bool, as_bytes: bool
) -> None:
    # Scenario files are decoded by jiter, and by the json module only when jiter refuses
    # them (issue 19): whatever jiter accepts must decode to exactly what json.loads gives,
    # float bits, big integers, escapes and key order included.
    from kgxp._internal.json_decode import _UNDECIDED, _fast_decode

    text = json.dumps(document, ensure_ascii=ascii_only)
    expected = json.loads(text)
    found = _fast_decode(text.encode() if as_bytes else text)
    if found is not _UNDECIDED:  # refused (a lone surrogate): the json module decides
        assert repr(found) == repr(expected) and found == expected
        assert _same_floats(found, expected)


def _same_floats(a: Any, b: Any) -> bool:
    """Equal, and every float the same bits (0.0 and -0.0 apart)."""
    if isinstance(a, float):
        return isinstance(b, float) and a.hex() == b.hex()
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same_floats, a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_floats(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": "\\ud800"}',  # a lone surrogate escape: json accepts it, jiter does not
        b'{"a": {"b": 1, "\\u0062": 2}}',  # the same key spelled two ways
        b"\xef\xbb\xbf" + b'{"a": 1}',  # a byte-order mark
        b"[" * 500 + b"]" * 500,  # deeper than jiter's limit, within json's
    ],
)
def test_what_jiter_refuses_is_decided_as_before(raw: bytes) -> None:
    from kgxp._internal.json_decode import _UNDECIDED, _checked_decode, _fast_decode, decode_json

    def outcome(decode: Any) -> Any:
        try:
            return ("decoded", repr(decode(raw)))
        except ScenarioError as error:
            return ("refused", [(p.record, p.field, p.code, p.message) for p in error.problems])

    assert outcome(decode_json) == outcome(_checked_decode)
    if not raw.startswith(b"\xef"):
        assert _fast_decode(raw) is _UNDECIDED
