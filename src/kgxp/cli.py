"""``kgxp`` command line for bureau staff and scripts: validate, run, compare, publish.

A scenario FILE is a JSON scenario, an Excel roster (``.xlsx``) or a directory
of CSV roster files (see docs/tables.md). Exit status: 0 on success, 1 when
the input is invalid (every problem is printed) or verify finds a violation,
2 on usage errors, missing files, outputs that cannot be written and hostile input
(JSON or TOML nested deeper than the parser follows: one located line).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kgxp._internal.extras import require
from kgxp._internal.json_decode import decode_json
from kgxp._internal.log import ROOT
from kgxp._internal.nesting import NESTED_TOO_DEEPLY
from kgxp._version import __version__
from kgxp.checks.verify import verify
from kgxp.cli_archive import add_archive_commands
from kgxp.cli_options import rows_option, seed_option
from kgxp.exceptions import KgxpError, OutputError, ScenarioError
from kgxp.files.notice import PublicityNotice, publicity_period
from kgxp.files.policy_file import load_policy
from kgxp.files.publication import EXPORT_FORMATS
from kgxp.files.scenario_json import load_scenario, parse_scenario
from kgxp.i18n import DEFAULT_LOCALE, LOCALES
from kgxp.lottery.odds import lottery_odds
from kgxp.model.document_json import read_decoded_document
from kgxp.model.policy import Mechanism, Policy, policy_table, preset, preset_names
from kgxp.model.result import RoundResult
from kgxp.model.scenario import Scenario
from kgxp.round.engine import run_round
from kgxp.schemas import document_names, json_schema
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
    except _NotApplicable as error:  # a usage error, as argparse's own
        print(f"kgxp: {error}", file=sys.stderr)
        return 2
    except ScenarioError as error:
        hostile = [p for p in error.problems if p.code == NESTED_TOO_DEEPLY]
        if hostile:  # not a mistyped file but one no parser should follow: refused as usage
            print(f"kgxp: {error.summary}: {hostile[0]}", file=sys.stderr)
            return 2
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
    parser.add_argument("--version", action="version", version=f"kgxp {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check a scenario file, list every problem")
    validate.add_argument("file", type=Path, help="scenario JSON, .xlsx roster or CSV directory")
    validate.set_defaults(handler=_validate)

    summary = commands.add_parser("summary", help="counts by school, subject, protected category")
    summary.add_argument("file", type=Path)
    _policy_option(summary)
    _lang_option(summary, "language of the summary")
    summary.set_defaults(handler=_summary)

    run = commands.add_parser("run", help="run the placement round and print its report")
    run.add_argument("file", type=Path)
    _policy_option(run)
    run.add_argument(
        "--mechanism",
        choices=[m.value for m in Mechanism],
        help="override the policy's matching mechanism",
    )
    run.add_argument("--seed", type=seed_option, help="lottery seed (default: the policy's)")
    run.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write result.json, report.md, report.html and the publication lists here",
    )
    run.add_argument(
        "--formats",
        help=f"publication list formats written with --out (default: {_FORMATS})",
    )
    run.add_argument(
        "--redact", action="store_true", help="teacher ids instead of names in everything written"
    )
    run.add_argument(
        "--mask-names", action="store_true", help="names masked like 张*明 in the posted lists"
    )
    run.add_argument(
        "--hide-ids", action="store_true", help="no teacher-id column in the posted lists"
    )
    notice = run.add_argument_group(
        "公示 notice",
        "the posted lists' 公示期, objection contact and 落款 (see docs/publication.md)",
    )
    notice.add_argument(
        "--notice", type=Path, metavar="FILE", help="a JSON file with the fields below"
    )
    notice.add_argument(
        "--publish-date",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="publication date; the 公示期 is counted in Chinese working days from it "
        "(default: left blank for the clerk)",
    )
    notice.add_argument("--notice-days", type=int, metavar="N", help="公示期 in working days (5)")
    notice.add_argument("--issuer", help="issuing body for the 落款 (default: <county>教育局)")
    notice.add_argument("--contact", help="where to raise an objection (复核/申诉)")
    run.add_argument(
        "--lang",
        choices=LOCALES,
        default=DEFAULT_LOCALE,
        help="language of the report and the lists (default: %(default)s)",
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
        "--policy-b",
        metavar="NAME|FILE",
        help="policy for B, when B is a scenario (default: --policy)",
    )
    comparison.add_argument(
        "--scenario-a", type=Path, help="A's scenario, when A is a result (adds balance metrics)"
    )
    comparison.add_argument(
        "--scenario-b", type=Path, help="B's scenario, when B is a result (adds balance metrics)"
    )
    comparison.add_argument("--rows", type=rows_option, default=50, help="changed outcomes to list")
    comparison.add_argument(
        "--format", choices=["text", "markdown", "html", "json"], default="text"
    )
    comparison.set_defaults(handler=_compare)

    demo = commands.add_parser("demo", help="the example county: summary, round, report")
    demo.add_argument("file", type=Path)
    _policy_option(demo)
    _lang_option(demo, "language of the summary and the report")
    demo.set_defaults(handler=_demo)

    policy = commands.add_parser("policy", help="print a policy's parameters as a Markdown table")
    _policy_option(policy)
    policy.set_defaults(handler=_policy)

    odds = commands.add_parser(
        "odds", help="lottery odds: how much the draw (抽签) decides, over many seeds"
    )
    odds.add_argument("file", type=Path)
    _policy_option(odds)
    odds.add_argument("--draws", type=int, default=100, help="lottery seeds (default: %(default)s)")
    odds.add_argument(
        "--seed", type=seed_option, help="seed the draws derive from (default: the policy's)"
    )
    odds.add_argument(
        "--by-score",
        action="store_true",
        help="rank by score, then the draw: no tie-breakers (as many counties do)",
    )
    odds.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the draws on a Dask cluster, e.g. tcp://10.0.0.5:8786 (kgxp[distributed])",
    )
    odds.add_argument(
        "--chunks",
        type=int,
        help="tasks the draws are split into (default: 8, or as many as the processes or "
        "the cluster's worker threads, if more); the odds do not depend on it",
    )
    odds.add_argument(
        "--progress",
        action="store_true",
        help="show a bar on stderr counting the draws (kgxp[notebook])",
    )
    odds.add_argument("--out", type=Path, help="write the odds as JSON to this file")
    odds.set_defaults(handler=_odds)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of a document kgxp reads or writes"
    )
    schema.add_argument(
        "document",
        nargs="?",
        default="scenario",
        choices=document_names(),
        help="which document (default: %(default)s)",
    )
    schema.add_argument("--out", type=Path, help="write to this file instead of stdout")
    schema.set_defaults(handler=_schema)
    add_archive_commands(commands)
    return parser


_FORMATS = "csv,xlsx,json,html,print"


def _policy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        metavar="NAME|FILE",
        help=(
            f"a policy preset ({', '.join(preset_names())}; default: default) "
            "or a policy file, JSON or .toml"
        ),
    )


class _NotApplicable(Exception):
    """A flag given where it has no effect: an error, never silently ignored."""


def _policy_of(value: str | None) -> Policy:
    """``--policy``: a preset name, else a JSON or TOML policy file (validated)."""
    if value is None or value in preset_names():
        return preset(value or "default")
    path = Path(value)
    if not path.suffix and not path.exists():
        raise _NotApplicable(
            f"--policy {value}: neither a preset ({', '.join(preset_names())}) nor a file"
        )
    return load_policy(path)


def _load(path: Path) -> Scenario:
    """A scenario from JSON, an .xlsx roster or a directory of CSV roster files."""
    if path.is_dir() or path.suffix.lower() in {".xlsx", ".xlsm"}:
        from kgxp.files.roster_read import read_roster

        return read_roster(path)
    return load_scenario(path)


def _load_either(path: Path) -> Scenario | RoundResult:
    """A result JSON (it has ``outcomes``) or a scenario file."""
    if path.suffix.lower() != ".json":
        return _load(path)
    raw = path.read_bytes()
    # Decoded once, as kgxp reads every file (a 100,000-teacher scenario used to be
    # decoded twice: once to tell which document it is, once to read it).
    data: Any = None  # decoded JSON: parse_scenario refuses what is no object
    try:
        data = decode_json(raw)
        result = _is_result(data)
    except ScenarioError:
        # Refused; read leniently only to tell which document was meant, so that a
        # result's refusal says it is not a valid result.
        result = _is_result(_leniently(raw))
        if not result:
            raise  # what load_scenario raises for these bytes
    if result:
        try:  # every problem located, a key given twice included
            if data is None:  # refused as decoded: from_json says where
                return RoundResult.from_json(raw)
            del raw  # freed before validation builds the result; decoded once (issue 19)
            return read_decoded_document(RoundResult, data, document=RoundResult.document_name)
        except ScenarioError as error:
            summary = f"{path}: not a valid kgxp result"
            raise ScenarioError(error.problems, summary=summary) from None
    del raw  # freed before validation builds the scenario (as load_scenario does)
    return parse_scenario(data)


def _is_result(data: object) -> bool:
    return isinstance(data, dict) and "outcomes" in data


def _leniently(raw: bytes) -> object:
    """``raw`` decoded as ``json.loads`` does (the last of a key given twice wins), or
    ``None`` where it cannot be."""
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None


def _validate(args: argparse.Namespace) -> int:
    scenario = _load(args.file)
    print(
        f"{args.file}: valid — {len(scenario.schools)} schools, {len(scenario.posts)} posts, "
        f"{len(scenario.teachers)} teachers"
    )
    return 0


def _lang_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--lang", choices=LOCALES, default=DEFAULT_LOCALE, help=f"{what} (default: %(default)s)"
    )


def _summary(args: argparse.Namespace) -> int:
    scenario = _load(args.file)
    print(render_summary(summarize(scenario, _policy_of(args.policy)), locale=args.lang))
    return 0


def _policy(args: argparse.Namespace) -> int:
    print(policy_table(_policy_of(args.policy)))
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.formats is not None and args.out is None:
        raise _NotApplicable("--formats applies only with --out")
    scenario = _load(args.file)
    policy = _policy_of(args.policy)
    if args.mechanism:
        policy = policy.evolve(mechanism=args.mechanism)
    formats = tuple(f.strip() for f in (args.formats or _FORMATS).split(",") if f.strip())
    unknown = sorted(set(formats) - set(EXPORT_FORMATS))
    if unknown:
        print(
            f"kgxp: unknown format(s) {', '.join(unknown)}; use {', '.join(EXPORT_FORMATS)}",
            file=sys.stderr,
        )
        return 2
    notice = _notice(args)
    if notice.published_on is not None:  # a year the calendar does not know: fail before running
        publicity_period(notice.published_on, notice.working_days)
    result = run_round(scenario, policy=policy, seed=args.seed)
    if not args.quiet:
        print(render_report(scenario, result, locale=args.lang, redact=args.redact))
    if args.out:
        written = _write_outputs(scenario, result, args.out, formats, args, notice)
        print(f"\nwrote {len(written)} files to {args.out}")
    if args.verify:
        return _print_violations(verify(scenario, result))
    return 0


def _notice(args: argparse.Namespace) -> PublicityNotice:
    """The notice from ``--notice FILE``, with the single options on top."""
    base = PublicityNotice()
    if args.notice is not None:
        try:
            data = decode_json(args.notice.read_bytes())
        except ScenarioError as error:  # malformed, or a key given twice
            said = "; ".join(f"{p.field}: {p.message}" for p in error.problems)
            raise NoticeError(f"{args.notice}: not a valid notice ({said})") from None
        try:
            base = PublicityNotice.model_validate(data)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}"
                for e in error.errors()
            )
            raise NoticeError(f"{args.notice}: not a valid notice ({problems})") from None
    changes = {
        "published_on": args.publish_date,
        "working_days": args.notice_days,
        "issuer": args.issuer,
        "contact": args.contact,
    }
    try:
        return PublicityNotice.model_validate(
            {
                **base.model_dump(),
                **{key: value for key, value in changes.items() if value is not None},
            }
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise NoticeError(f"invalid notice option ({problems})") from None


class NoticeError(KgxpError, ValueError):
    """A 公示 notice file or option the CLI cannot use."""


def _write_outputs(
    scenario: Scenario,
    result: RoundResult,
    out: Path,
    formats: tuple[str, ...],
    args: argparse.Namespace,
    notice: PublicityNotice,
) -> list[Path]:
    from kgxp.files.publication import write_results

    redact, overwrite = bool(args.redact), bool(args.overwrite)
    reports: tuple[tuple[str, ReportFormat], ...] = (
        ("report.md", "markdown"),
        ("report.html", "html"),
    )
    there = [out / name for name, _ in reports if (out / name).exists()]
    if there and not overwrite:  # checked before anything is written
        raise OutputError(f"{there[0]} already exists and is not replaced (pass --overwrite)")
    written = list(
        write_results(
            scenario,
            result,
            out,
            formats=formats,
            redact=redact,
            mask_names=args.mask_names,
            hide_ids=args.hide_ids,
            notice=notice,
            locale=args.lang,
            overwrite=overwrite,
        )
    )
    for name, fmt in reports:
        path = out / name
        # Every waiting teacher is listed: the archived report is the complete record.
        text = render_report(
            scenario,
            result,
            waiting_rows=len(result.outcomes),
            format=fmt,
            locale=args.lang,
            figures=fmt == "html",
            redact=redact,
        )
        path.write_text(text, "utf-8")
        written.append(path)
    return written


def _compare(args: argparse.Namespace) -> int:
    first, second = _load_either(args.a), _load_either(args.b)
    _check_compare_flags(args, first, second)
    policy_a = _policy_of(args.policy)
    policy_b = _policy_of(args.policy_b) if args.policy_b else policy_a
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
        named = scenario_b if scenario_b is not None else scenario_a
        print(render_comparison(comparison, rows=args.rows, format=args.format, scenario=named))
    return 0


def _check_compare_flags(
    args: argparse.Namespace, first: Scenario | RoundResult, second: Scenario | RoundResult
) -> None:
    """Each flag of ``compare`` applies to one kind of A or B; given elsewhere it is an error.

    A scenario compared with a result runs with that result's policy, so no policy
    flag applies then; ``--scenario-a``/``-b`` only add a result's scenario.
    """
    a_runs = isinstance(first, Scenario) and isinstance(second, Scenario)
    given = {
        "--policy": (args.policy is not None, a_runs, "only when A and B are both scenarios"),
        "--policy-b": (args.policy_b is not None, a_runs, "only when A and B are both scenarios"),
        "--scenario-a": (
            args.scenario_a is not None,
            isinstance(first, RoundResult),
            "only when A is a result",
        ),
        "--scenario-b": (
            args.scenario_b is not None,
            isinstance(second, RoundResult),
            "only when B is a result",
        ),
    }
    for flag, (present, applies, when) in given.items():
        if present and not applies:
            raise _NotApplicable(f"{flag} does not apply here: it is used {when}")


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
    policy = _policy_of(args.policy)
    print(render_summary(summarize(scenario, policy), locale=args.lang))
    print("\n" + "=" * 78 + "\n")
    result = run_round(scenario, policy=policy)
    print(render_report(scenario, result, locale=args.lang))
    return _print_violations(verify(scenario, result))


def _print_violations(violations: Sequence[object]) -> int:
    if violations:
        print(f"\nverify: {len(violations)} invariant violation(s):")
        for violation in violations:
            print(f"  {violation}")
        return 1
    print("\nverify: all invariants hold (I1–I9, I12, I14)")
    return 0


def _odds(args: argparse.Namespace) -> int:
    scenario = _load(args.file)
    policy = _policy_of(args.policy)
    if args.by_score:
        policy = policy.evolve(tie_breakers=())
    try:
        cluster: AbstractContextManager[Any] = nullcontext()  # None: local processes
        if args.scheduler:
            distributed = require("distributed", "distributed", "kgxp odds --scheduler")
            cluster = distributed.Client(args.scheduler)
        with cluster as client:
            odds = lottery_odds(
                scenario,
                policy,
                draws=args.draws,
                seed=args.seed,
                executor=client,
                chunks=args.chunks,
                progress=args.progress,
            )
    except ValueError as error:  # a bad --draws, --seed or --chunks
        print(f"kgxp: {error}", file=sys.stderr)
        return 2
    summary = odds.summary()
    print(
        f"抽签 {summary['draws']} 次: 决定 {summary['post_decided']} 名教师的岗位, "
        f"{summary['status_decided']} 名的聘用结果, {summary['placement_decided']} 名是否有岗"
    )
    print(
        f"{summary['draws']} draws: the draw decides the post of {summary['post_decided']} "
        f"of {summary['teachers']} teachers, the status of {summary['status_decided']}, "
        f"whether {summary['placement_decided']} get a post at all"
    )
    if args.out:
        args.out.write_text(odds.model_dump_json() + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(json_schema(args.document), ensure_ascii=False, indent=2) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
