"""``kgxp`` command line: validate, summarise and describe scenario files.

Exit status: 0 on success, 1 when the scenario is invalid (every problem is
printed), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import structlog

from kgxp.engine import run_round
from kgxp.exceptions import ScenarioError
from kgxp.io import load_scenario, scenario_json_schema
from kgxp.policy import Mechanism, policy_table, preset, preset_names
from kgxp.report import render_report
from kgxp.summary import render_summary, summarize
from kgxp.verify import verify

__all__ = ["main", "run"]


def run() -> None:
    """Console entry point: the application configures logging, the library never does."""
    level = logging.DEBUG if os.environ.get("KGXP_LOG") == "debug" else logging.WARNING
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(level))
    sys.exit(main())


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kgxp", description="县管校聘 placement engine")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check a scenario file, list every problem")
    validate.add_argument("file", type=Path)
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
    run.add_argument("--out", type=Path, help="also write the result as JSON to this file")
    run.add_argument("--verify", action="store_true", help="check invariants I1–I12 too")
    run.set_defaults(handler=_run)

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


def _validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.file)
    print(
        f"{args.file}: valid — {len(scenario.schools)} schools, {len(scenario.posts)} posts, "
        f"{len(scenario.teachers)} teachers"
    )
    return 0


def _summary(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.file)
    print(render_summary(summarize(scenario, preset(args.policy))))
    return 0


def _policy(args: argparse.Namespace) -> int:
    print(policy_table(preset(args.policy)))
    return 0


def _run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.file)
    policy = preset(args.policy)
    if args.mechanism:
        policy = policy.evolve(mechanism=args.mechanism)
    result = run_round(scenario, policy=policy, seed=args.seed)
    print(render_report(scenario, result))
    if args.out:
        args.out.write_text(result.to_json(), encoding="utf-8")
    if args.verify:
        return _print_violations(verify(scenario, result))
    return 0


def _demo(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.file)
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
