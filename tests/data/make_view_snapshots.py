"""Write tests/data/view_snapshots.json: what every view and ``write_results`` format gave
before issue 19's views read the outcome columns, as SHA-256 digests.

Run once, deliberately, with the code to pin (issue 19: /work/main at 2ef7051)::

    PYTHONPATH=/path/to/old/src python tests/data/make_view_snapshots.py

The file holds the small scenarios as JSON (so that a later change of a test helper
cannot move them) and, per case and output, the SHA-256 of the bytes:
tests/test_view_snapshots.py computes the same outputs with today's code, from the
result as the engine gives it (an ``OutcomeTable``) and with its outcomes as a plain
tuple, and compares them. Re-running it rewrites the reference: do so only for a change
of output that is intended (a new message, a new column), and say so in the commit.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = HERE / "view_snapshots.json"

import kgxp  # noqa: E402
from kgxp.files.publication import outcome_rows, publication_lists, write_results  # noqa: E402
from kgxp.model.policy import DistributionalTargets, Mechanism  # noqa: E402
from kgxp.views.appeal import render_comparison  # noqa: E402
from kgxp.views.balance import balance_comparison  # noqa: E402
from kgxp.views.comparison import compare  # noqa: E402
from kgxp.views.html import comparison_html, round_html  # noqa: E402
from kgxp.views.plots import flows, seat_use  # noqa: E402

FORMATS = ("csv", "json", "html", "xlsx", "print")


def _county(
    name: str,
    schools: list[dict[str, Any]],
    posts: list[dict[str, Any]],
    teachers: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "county": {"name": name, "synthetic": True},
        "competition_month": "2026-08",
        "staffing": {"total_posts": 20},
        "schools": schools,
        "posts": posts,
        "teachers": teachers,
    }


def _school(id: str, **more: Any) -> dict[str, Any]:
    return {
        "id": id,
        "name": f"学校{id}",
        "segment": "primary",
        "locality": "rural",
        "enrolment": 300,
        "community": "C1",
        **more,
    }


def _teacher(
    id: str, school: str, subjects: tuple[str, ...] = ("语文",), **more: Any
) -> dict[str, Any]:
    return {
        "id": id,
        "name": f"教师{id}",
        "school": school,
        "subjects": list(subjects),
        "score": 80.0,
        "sex": "female",
        "birth": "1985-06",
        "service_start": "2007-09",
        "preferences": [],
        **more,
    }


def small_scenarios() -> dict[str, dict[str, Any]]:
    """A county with an R4 conflict (待定) and unwilling teachers; one whose R16 target
    forces declared exceptions."""
    conflict = _county(
        "待定县",
        [_school("A"), _school("B")],
        [
            {"id": "A-CHN", "school": "A", "subject": "语文", "seats": 2},
            {"id": "B-PE", "school": "B", "subject": "体育", "seats": 1},
        ],
        [
            _teacher("T1", "A", preferences=["A-CHN"]),
            _teacher("P2", "B", ("体育",), circumstances=["village_work_team"], score=70.0),
            _teacher("P3", "B", ("体育",), circumstances=["aid_tibet_yi"], score=60.0),
            _teacher("W1", "B", score=40.0, preferences=["A-CHN"], willing_to_adjust=False),
            _teacher("W2", "A", score=30.0, preferences=["A-CHN"]),
        ],
    )
    math = ("数学",)
    priced = _county(
        "手算县",
        [
            _school("U1", locality="urban"),
            _school("U2", locality="urban"),
            _school("R1", locality="rural"),
        ],
        [
            {"id": "U2-MAT", "school": "U2", "subject": "数学", "seats": 1},
            {"id": "R1-MAT", "school": "R1", "subject": "数学", "seats": 2},
        ],
        [
            _teacher("A", "U1", math, score=90.0, preferences=["U2-MAT", "R1-MAT"]),
            _teacher("B", "U1", math, score=85.0, preferences=["U2-MAT", "R1-MAT"]),
            _teacher("C", "U1", math, score=80.0, preferences=["U2-MAT"]),
        ],
    )
    return {"conflict": conflict, "priced": priced}


def cases(
    stored: dict[str, str],
) -> list[tuple[str, kgxp.Scenario, kgxp.Policy, int, tuple[str, ...]]]:
    """(name, scenario, policy, seed, formats): the example county under three policies
    (one with declared exceptions), a generated county by score and lottery, the small ones."""
    example = kgxp.load_scenario(ROOT / "examples" / "ziyang_county.json")
    default = kgxp.preset("default")
    targeted = default.evolve(
        mechanism=Mechanism.TARGETED,
        targets=DistributionalTargets(urban_to_rural_share=Decimal("0.3")),
    )
    generated = kgxp.parse_scenario(stored["gen-240-s5"])
    priced_policy = kgxp.Policy(
        mechanism=Mechanism.TARGETED,
        in_school_share=Decimal(0),
        rounds=(kgxp.RoundSpec(name="cross_school", kind="cross_school", scope="county"),),
        targets=DistributionalTargets(urban_to_rural_share=Decimal("0.6")),
    )
    return [
        ("example/default", example, default, 0, ("csv", "json", "html", "xlsx")),
        ("example/by_score", example, default.evolve(tie_breakers=()), 7, ("csv", "json")),
        ("example/targeted", example, targeted, 0, ("csv", "json", "html")),
        (
            "gen-240-s5/wuhan_like",
            generated,
            kgxp.preset("wuhan_like").evolve(tie_breakers=()),
            7,
            FORMATS,
        ),
        ("conflict", kgxp.parse_scenario(stored["conflict"]), default, 0, FORMATS),
        ("priced", kgxp.parse_scenario(stored["priced"]), priced_policy, 0, FORMATS),
    ]


def _sha(value: str | bytes) -> str:
    return hashlib.sha256(value if isinstance(value, bytes) else value.encode()).hexdigest()


def _files(write: Callable[[Path], list[Path]]) -> str:
    with tempfile.TemporaryDirectory() as folder:
        paths = write(Path(folder))
        sha = hashlib.sha256()
        for path in sorted(paths):
            sha.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
        return sha.hexdigest()


def outputs(
    scenario: kgxp.Scenario,
    result: kgxp.RoundResult,
    other: kgxp.RoundResult,
    formats: tuple[str, ...],
) -> dict[str, str]:
    """Every view and file of ``result`` (and its comparison with ``other``), as digests."""
    out = {}
    for form in formats:
        out[f"write_results/{form}"] = _files(
            lambda folder, form=form: write_results(scenario, result, folder, formats=(form,))
        )
    out["write_results/csv,masked"] = _files(
        lambda folder: write_results(
            scenario, result, folder, formats=("csv",), mask_names=True, hide_ids=True, locale="en"
        )
    )
    for form in ("text", "markdown", "html"):
        for locale in ("zh_CN", "en"):
            out[f"report/{form}/{locale}"] = _sha(
                kgxp.render_report(scenario, result, format=form, locale=locale, waiting_rows=40)
            )
    out["round_html/zh_CN"] = _sha(round_html(result))
    out["round_html/en"] = _sha(round_html(result, locale="en"))
    out["round_metrics"] = _sha(kgxp.round_metrics(scenario, result).model_dump_json())
    out["balance_comparison"] = _sha(
        json.dumps(
            [
                row.model_dump(mode="json")
                for row in balance_comparison(scenario, {"x": result, "y": other})
            ]
        )
    )
    comparison = compare(other, result, scenarios=(scenario, scenario))
    # The scenario digests a comparison records since (a field added after this reference
    # was written) are left out: everything else is pinned as it was.
    out["compare"] = _sha(comparison.model_dump_json(exclude={"scenario_digests"}))
    out["compare/html"] = _sha(comparison_html(comparison))
    out["compare/text"] = _sha(render_comparison(comparison, scenario=scenario))
    out["seat_use"] = _sha(json.dumps(seat_use(result)))
    out["flows"] = _sha(repr(sorted(flows(result).items())))
    out["publication_lists"] = _sha(repr(publication_lists(scenario, result)))
    out["outcome_rows"] = _sha(repr(outcome_rows(scenario, result)))
    for named in (False, True):
        frame = result.to_frame(scenario if named else None)
        out[f"to_frame/{'named' if named else 'ids'}"] = _sha(frame.to_csv() + repr(frame.dtypes))
    return out


def reference_policy(policy: kgxp.Policy) -> kgxp.Policy:
    """The other result each case is compared with: deferred acceptance by score."""
    return policy.evolve(
        mechanism=Mechanism.DEFERRED_ACCEPTANCE, tie_breakers=(), targets=DistributionalTargets()
    )


def main() -> int:
    import gzip

    generated = json.loads(gzip.decompress((HERE / "round_snapshots.json.gz").read_bytes()))
    stored = {"gen-240-s5": generated["scenarios"]["gen-240-s5"]}
    stored |= {
        name: kgxp.dump_scenario(kgxp.parse_scenario(data))
        for name, data in small_scenarios().items()
    }
    digests = {}
    for name, scenario, policy, seed, formats in cases(stored):
        result = kgxp.run_round(scenario, policy=policy, seed=seed)
        other = kgxp.run_round(scenario, policy=reference_policy(policy), seed=seed)
        digests[name] = outputs(scenario, result, other, formats)
    document = {
        "made_with": kgxp.__version__,
        "scenarios": {k: v for k, v in stored.items() if k != "gen-240-s5"},
        "sha256": digests,
    }
    OUT.write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    print(f"{sum(map(len, digests.values()))} digests of {len(digests)} cases -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
