"""RoundResult JSON byte for byte against results stored before issue 19's lean result.

tests/data/round_snapshots.json.gz was written by tests/data/make_round_snapshots.py with
the code of /work/main at 1425d07 (before the result was held as columns): two generated
counties stored as scenario JSON, every preset × mechanism, the default tie-breakers and
ranking by score then the lottery under two seeds; for the example county the SHA-256 of
each result. Amended once since, deliberately: issue 20 added ``Policy.targets.cv_indicators``
(``[]`` in every stored policy); the amendment checked that every stored text differed by that
key alone. Any change of the published JSON fails here, naming the case and the first
differing teacher or post.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import kgxp

DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(DATA))

from make_round_snapshots import SEEDS, cases  # noqa: E402


@cache
def _stored() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        gzip.decompress((DATA / "round_snapshots.json.gz").read_bytes())
    )
    return document


@cache
def _scenario(name: str) -> kgxp.Scenario:
    return kgxp.parse_scenario(_stored()["scenarios"][name])


def _first_difference(expected: str, actual: str) -> str:
    old, new = json.loads(expected), json.loads(actual)
    for key in old.keys() | new.keys():
        if old.get(key) != new.get(key):
            if isinstance(old.get(key), list) and isinstance(new.get(key), list):
                for a, b in zip(old[key], new[key], strict=False):
                    if a != b:
                        return f"{key}: stored {a!r}\n   now {b!r}"
                return f"{key}: {len(old[key])} stored items, {len(new[key])} now"
            return f"{key}: stored {old.get(key)!r}, now {new.get(key)!r}"
    return "same values, different bytes (order or formatting)"


@cache
def _example(path: Path) -> kgxp.Scenario:
    return kgxp.load_scenario(path)


GENERATED_CASES = [
    (county, name, policy, seed)
    for county in ("gen-240-s5", "gen-420-s11")
    for name, policy, seed in cases(full=True)
]


@pytest.mark.parametrize(
    ("county", "name", "policy", "seed"),
    GENERATED_CASES,
    ids=[f"{c}/{n}" for c, n, _, _ in GENERATED_CASES],
)
def test_generated_county_results_are_byte_identical(
    county: str, name: str, policy: kgxp.Policy, seed: int
) -> None:
    expected = _stored()["results"][f"{county}/{name}"]
    result = kgxp.run_round(_scenario(county), policy=policy, seed=seed)
    actual = result.to_json()
    assert actual == expected, _first_difference(expected, actual)
    # The JSON reads back to an equal result that writes the same bytes.
    again = kgxp.RoundResult.from_json(actual)
    assert again == result
    assert again.to_json() == expected
    # The outcomes as a tuple of objects (pydantic writes them) give the same bytes as
    # the table's columns (written directly), and the two results are equal.
    objects = result.model_copy(update={"outcomes": tuple(result.outcomes)})
    assert isinstance(result.outcomes, kgxp.OutcomeTable)
    assert objects == result and result == objects
    assert objects.to_json() == actual
    assert objects.model_dump_json() == result.model_dump_json()
    assert kgxp.verify(_scenario(county), result) == []


EXAMPLE_CASES = cases(full=False)


@pytest.mark.parametrize(
    ("name", "policy", "seed"), EXAMPLE_CASES, ids=[n for n, _, _ in EXAMPLE_CASES]
)
def test_example_county_results_are_byte_identical(
    example_path: Path, name: str, policy: kgxp.Policy, seed: int
) -> None:
    text = kgxp.run_round(_example(example_path), policy=policy, seed=seed).to_json()
    assert hashlib.sha256(text.encode()).hexdigest() == _stored()["sha256"][f"example/{name}"]


def test_the_snapshot_covers_every_preset_and_mechanism() -> None:
    stored = _stored()["results"]
    for preset in kgxp.preset_names():
        for mechanism in kgxp.Mechanism:
            assert any(f"/{preset}/{mechanism.value}/" in key for key in stored)
    assert {f"seed{seed}" for seed in SEEDS} <= {key.rsplit("/", 1)[1] for key in stored}
