"""``kgxp`` command line for bureau staff and scripts: validate, run, compare, publish.

A scenario FILE is a JSON scenario, an Excel roster (``.xlsx``) or a directory
of CSV roster files (see docs/tables.md). Exit status: 0 on success, 1 when
the input is invalid (every problem is printed) or verify finds a violation,
2 on usage errors and missing files.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kgxp._internal.log import ROOT
from kgxp.checks.verify import verify
from kgxp.exceptions import KgxpError, OutputError, Problem, ScenarioError
from kgxp.files.scenario_json import load_scenario, scenario_json_schema
from kgxp.model.policy import Mechanism, Policy, policy_table, preset, preset_names
from kgxp.model.result import RoundResult
from kgxp.model.scenario import Scenario
from kgxp.round.engine import run_round
from kgxp.views.comparison import compare
from kgxp.views.report import ReportFormat, render_comparison, render_report
from kgxp.views.summary import render_summary, summarize

__all__ = ["main", "run"]


def run() -> None:
    """Console entry point: the application configures logging, the library never does."""
    configure_logging(os.environ.get("KGXP_LOG", ""))
    sys.exit(main())


def configure_logging(setting: str) -> None:
    """The command's own log output: kgxp's events on stderr, warnings only unless
    ``KGXP_LOG=debug`` (or ``info``). The library itself never configures logging."""
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(setting.lower(), logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(ROOT)
    logger.addHandler(handler)
    logger.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ScenarioError as error:
        print(error, file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"kgxp: {error.strerror}: {error.filename}", file=sys.stderr)
        return 2
    except KgxpError as error:  # e.g. a missing optional extra, an output already there
        print(f"kgxp: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a path too long, a folder that is a file, no permission …
        where = f": {error.filename}" if error.filename else ""
        print(f"kgxp: {error.strerror or error}{where}", file=sys.stderr)
        return 2
    except RecursionError:
        print("kgxp: the input is nested too deeply to be a kgxp file", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kgxp", description="县管校聘 placement engine")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check a scenario file, list every problem")
    validate.add_argument("file", type=Path, help="scenario JSON, .xlsx roster or CSV directory")
    validate.set_defaults(handler=_validate)

    summary = commands.add_parser("summary", help="counts by school, subject, protected category")
    summary.add_argument("file", type=Path)
    _policy_option(summary)
    summary.set_defaults(handler=_summary)

    run = commands.add_parser("run", help="run the placement round and print its report")
    run.add_argument("file", type=Path)
    _policy_option(run)
    run.add_argument(
        "--mechanism",
        choices=[m.value for m in Mechanism],
        help="override the policy's matching mechanism",
    )
    run.add_argument("--seed", type=int, help="lottery seed (default: the policy's)")
    run.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write result.json, report.md, report.html and the publication lists here",
    )
    run.add_argument(
        "--formats",
        default="csv,xlsx,json",
        help="publication list formats written with --out (default: %(default)s)",
    )
    run.add_argument(
        "--redact", action="store_true", help="teacher ids instead of names in everything written"
    )
    run.add_argument(
        "--overwrite", action="store_true", help="replace files already in the --out folder"
    )
    run.add_argument("--quiet", action="store_true", help="do not print the report")
    run.add_argument("--verify", action="store_true", help="check invariants I1–I9 and I12 too")
    run.set_defaults(handler=_run)

    comparison = commands.add_parser(
        "compare",
        help="what changed between two rounds (a what-if, or an appeal against a published round)",
        description=(
            "A and B are each a result JSON (from `kgxp run --out`) or a scenario file, which "
            "is run first. A scenario compared with a result runs with that result's policy "
            "and seed, as an appeal (复核) re-run must."
        ),
    )
    comparison.add_argument("a", type=Path, metavar="A")
    comparison.add_argument("b", type=Path, metavar="B")
    _policy_option(comparison)
    comparison.add_argument(
        "--policy-b", choices=preset_names(), help="policy preset for B (default: --policy)"
    )
    comparison.add_argument(
        "--scenario-a", type=Path, help="A's scenario, when A is a result (adds balance metrics)"
    )
    comparison.add_argument(
        "--scenario-b", type=Path, help="B's scenario, when B is a result (adds balance metrics)"
    )
    comparison.add_argument("--rows", type=int, default=50, help="changed outcomes to list")
    comparison.add_argument(
        "--format", choices=["text", "markdown", "html", "json"], default="text"
    )
    comparison.set_defaults(handler=_compare)

    demo = commands.add_parser("demo", help="the example county: summary, round, report")
    demo.add_argument("file", type=Path)
    _policy_option(demo)
    demo.set_defaults(handler=_demo)

    policy = commands.add_parser("policy", help="print a policy's parameters as a Markdown table")
    _policy_option(policy)
    policy.set_defaults(handler=_policy)

    schema = commands.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.add_argument("--out", type=Path, help="write to this file instead of stdout")
    schema.set_defaults(handler=_schema)
    return parser


def _policy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        default="default",
        choices=preset_names(),
        help="policy preset (default: %(default)s)",
    )


def _load(path: Path) -> Scenario:
    """A scenario from JSON, an .xlsx roster or a directory of CSV roster files."""
    if path.is_dir() or path.suffix.lower() in {".xlsx", ".xlsm"}:
        from kgxp.files.roster_read import read_roster

        return read_roster(path)
    return load_scenario(path)


def _load_either(path: Path) -> Scenario | RoundResult:
    """A result JSON (it has ``outcomes``) or a scenario file."""
    if path.suffix.lower() == ".json":
        raw = path.read_bytes()
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            data = None
        if isinstance(data, dict) and "outcomes" in data:
            try:
                return RoundResult.model_validate_json(raw)
            except ValueError as error:
                problem = Problem(str(path), "file", f"not a valid kgxp result: {error}")
                raise ScenarioError([problem], summary="invalid result file") from None
    return _load(path)


def _validate(args: argparse.Namespace) -> int:
    scenario = _load(args.file)
    print(
        f"{args.file}: valid — {len(scenario.schools)} schools, {len(scenario.posts)} posts, "
        f"{len(scenario.teachers)} teachers"
    )
    return 0


def _summary(args: argparse.Namespace) -> int:
    scenario = _load(args.file)
    print(render_summary(summarize(scenario, preset(args.policy))))
    return 0


def _policy(args: argparse.Namespace) -> int:
    print(policy_table(preset(args.policy)))
    return 0


def _run(args: argparse.Namespace) -> int:
    scenario = _load(args.file)
    policy = preset(args.policy)
    if args.mechanism:
        policy = policy.evolve(mechanism=args.mechanism)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = sorted(set(formats) - {"csv", "xlsx", "json"})
    if unknown:
        print(f"kgxp: unknown format(s) {', '.join(unknown)}; use csv, xlsx, json", file=sys.stderr)
        return 2
    result = run_round(scenario, policy=policy, seed=args.seed)
    if not args.quiet:
        print(render_report(_shown(scenario, args.redact), result))
    if args.out:
        written = _write_outputs(
            scenario, result, args.out, formats, redact=args.redact, overwrite=args.overwrite
        )
        print(f"\nwrote {len(written)} files to {args.out}")
    if args.verify:
        return _print_violations(verify(scenario, result))
    return 0


def _shown(scenario: Scenario, redact: bool) -> Scenario:
    """The scenario as reports show it: with ``redact``, every name is the teacher's id."""
    if not redact:
        return scenario
    return scenario.model_copy(
        update={"teachers": tuple(t.model_copy(update={"name": t.id}) for t in scenario.teachers)}
    )


def _write_outputs(
    scenario: Scenario,
    result: RoundResult,
    out: Path,
    formats: tuple[str, ...],
    *,
    redact: bool,
    overwrite: bool = False,
) -> list[Path]:
    from kgxp.files.publication import write_results

    reports: tuple[tuple[str, ReportFormat], ...] = (
        ("report.md", "markdown"),
        ("report.html", "html"),
    )
    there = [out / name for name, _ in reports if (out / name).exists()]
    if there and not overwrite:  # checked before anything is written
        raise OutputError(f"{there[0]} already exists and is not replaced (pass --overwrite)")
    written = list(
        write_results(scenario, result, out, formats=formats, redact=redact, overwrite=overwrite)
    )
    shown = _shown(scenario, redact)
    for name, fmt in reports:
        path = out / name
        # Every waiting teacher is listed: the archived report is the complete record.
        path.write_text(
            render_report(shown, result, waiting_rows=len(result.outcomes), format=fmt), "utf-8"
        )
        written.append(path)
    return written


def _compare(args: argparse.Namespace) -> int:
    first, second = _load_either(args.a), _load_either(args.b)
    policy_a = preset(args.policy)
    policy_b = preset(args.policy_b) if args.policy_b else policy_a
    scenario_a = _load(args.scenario_a) if args.scenario_a else None
    scenario_b = _load(args.scenario_b) if args.scenario_b else None
    result_a = _as_result(first, second, policy_a)
    result_b = _as_result(second, first, policy_b)
    scenario_a = first if isinstance(first, Scenario) else scenario_a
    scenario_b = second if isinstance(second, Scenario) else scenario_b
    scenarios = (scenario_a, scenario_b) if scenario_a and scenario_b else None
    comparison = compare(result_a, result_b, scenarios=scenarios)
    if args.format == "json":
        sys.stdout.write(comparison.model_dump_json(indent=2) + "\n")
    else:
        print(render_comparison(comparison, rows=args.rows, format=args.format))
    return 0


def _as_result(
    this: Scenario | RoundResult, other: Scenario | RoundResult, policy: Policy
) -> RoundResult:
    if isinstance(this, RoundResult):
        return this
    if isinstance(other, RoundResult):
        # An appeal re-run: the published round's own policy and seed, nothing else changed.
        return run_round(this, policy=other.policy, seed=other.seed)
    return run_round(this, policy=policy)


def _demo(args: argparse.Namespace) -> int:
    scenario = _load(args.file)
    policy = preset(args.policy)
    print(render_summary(summarize(scenario, policy)))
    print("\n" + "=" * 78 + "\n")
    result = run_round(scenario, policy=policy)
    print(render_report(scenario, result))
    return _print_violations(verify(scenario, result))


def _print_violations(violations: Sequence[object]) -> int:
    if violations:
        print(f"\nverify: {len(violations)} invariant violation(s):")
        for violation in violations:
            print(f"  {violation}")
        return 1
    print("\nverify: all invariants hold (I1–I9, I12)")
    return 0


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(scenario_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
