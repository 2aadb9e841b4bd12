"""``outcomes.json`` and ``publication.json`` are the bytes Python's ``json.dumps(...,
ensure_ascii=False, indent=2)`` writes, though pydantic-core's encoder writes them (issue
19: the pure-Python indenting encoder was most of ``write_results``' JSON at 100,000)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kgxp
from kgxp.files.publication import _json, write_results
from kgxp.files.scenario_json import parse_scenario
from tests.conftest import EXAMPLE
from tests.factories import scenario_data


def _python(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False)


# Text with everything an encoder may treat differently: quotes, backslashes, every control
# character, DEL, the JSON-vs-JavaScript separators U+2028/9, CJK, astral characters.
_TEXT = st.text(
    st.characters(blacklist_categories=["Cs"])
    | st.sampled_from(['"', "\\", "/", "\x7f", "\u2028", "\u2029", "😀", "欧", "\t", "\x00"]),
    max_size=12,
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=30,
)


@given(_JSON)
def test_the_json_files_are_written_as_pythons_encoder_writes_them(value: Any) -> None:
    assert _json(value) == _python(value)


def test_text_no_utf_8_encoder_can_write_still_goes_to_pythons_encoder() -> None:
    # A lone surrogate: pydantic-core refuses it; Python's encoder writes it as before.
    value = {"name": "教师\ud800"}
    assert _json(value) == _python(value)


@cache
def _example() -> kgxp.Scenario:
    return kgxp.load_scenario(EXAMPLE)


def _awkward() -> kgxp.Scenario:
    data = scenario_data()
    data["county"]["name"] = '测试县 "东区"\\北'
    data["teachers"][0]["name"] = "欧阳\t“华”😀"
    data["schools"][1]["name"] = "学校\u2028B/</script>"
    return parse_scenario(data)


@pytest.mark.parametrize(
    ("scenario", "policy"),
    [
        (_example, kgxp.preset("default")),
        (_example, kgxp.preset("default").evolve(tie_breakers=())),
        (_awkward, kgxp.preset("default")),
    ],
    ids=["example", "example-by-score", "awkward-text"],
)
def test_write_results_json_files_are_byte_identical_to_pythons_indented_json(
    scenario: Any, policy: kgxp.Policy, tmp_path: Path
) -> None:
    county = scenario()
    result = kgxp.run_round(county, policy=policy, seed=3)
    write_results(county, result, tmp_path, formats=("json",), mask_names=True)
    for name in ("outcomes.json", "publication.json"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        # Parsed back (no floats: text, ints, null), Python's encoder gives the same bytes.
        assert text == _python(json.loads(text)) + "\n", name
        assert len(text) > 200
    rows = kgxp.files.publication.outcome_rows(county, result)
    assert (tmp_path / "outcomes.json").read_text(encoding="utf-8") == _python(rows) + "\n"
