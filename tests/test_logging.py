"""A library is silent until the application configures logging (kgxp._internal.log)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from kgxp import load_scenario, run_round
from kgxp._internal.log import get_logger
from tests.conftest import EXAMPLE, ROOT

SILENT_ROUND = f"""
import structlog, kgxp
scenario = kgxp.load_scenario({str(EXAMPLE)!r})
result = kgxp.run_round(scenario)
kgxp.verify(scenario, result)
kgxp.simulate(scenario, semesters=1)
assert not structlog.is_configured(), "kgxp must not configure structlog"
"""


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "KGXP_LOG"} | env
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, cwd=ROOT,
        timeout=300, check=False,
    )  # fmt: skip


def test_nothing_is_printed_when_nothing_is_configured() -> None:
    done = _python(SILENT_ROUND)
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")


def test_an_invalid_scenario_is_silent_too() -> None:
    code = "import kgxp\ntry:\n    kgxp.parse_scenario({'county': {}})\nexcept kgxp.ScenarioError:\n    pass"
    done = _python(code)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_events_reach_the_kgxp_logger_with_their_fields(caplog: pytest.LogCaptureFixture) -> None:
    scenario = load_scenario(EXAMPLE)
    with caplog.at_level(logging.INFO, logger="kgxp"):
        result = run_round(scenario)
    finished = [r for r in caplog.records if r.kgxp["event"] == "round.finished"]
    assert len(finished) == 1
    record = finished[0]
    assert record.name == "kgxp.round.engine" and record.levelno == logging.INFO
    assert record.kgxp["waiting"] == result.counts()["waiting"]
    assert record.getMessage().startswith("round.finished ")
    assert f"waiting={result.counts()['waiting']}" in record.getMessage()


def test_below_the_level_nothing_is_recorded(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kgxp"):
        run_round(load_scenario(EXAMPLE))
    assert [r for r in caplog.records if r.name.startswith("kgxp")] == []


def test_a_field_named_like_a_record_attribute_does_not_break_logging(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="kgxp"):
        get_logger("kgxp.test").warning("odd.fields", name="x", module="m", message="y")
    (record,) = caplog.records
    assert record.kgxp == {"event": "odd.fields", "name": "x", "module": "m", "message": "y"}
    assert record.name == "kgxp.test"


def test_the_command_line_logs_to_stderr_only_when_asked() -> None:
    run = "from kgxp.cli import run; import sys; sys.argv = ['kgxp', 'run', {!r}, '--quiet']; run()"
    quiet = _python(run.format(str(EXAMPLE)))
    assert quiet.returncode == 0, quiet.stderr
    assert "round." not in quiet.stdout + quiet.stderr
    loud = _python(run.format(str(EXAMPLE)), KGXP_LOG="debug")
    assert loud.returncode == 0, loud.stderr
    assert "round.finished" in loud.stderr and "round." not in loud.stdout
