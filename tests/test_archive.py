"""The archive on a real database (SQLite file and PostgreSQL server, no mocks): documents
round-trip, the hash chain catches every hand edit, writes are all-or-nothing even when
the writing process is killed, and concurrent writers take turns."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import kgxp
from kgxp import Policy
from kgxp.archive import (
    Appeal,
    Archive,
    ArchiveBusy,
    ArchiveError,
    create_archive,
    document_key,
)
from kgxp.waiting.payroll import payroll
from kgxp.waiting.recompetition_round import apply_recompetition, run_recompetition
from kgxp.waiting.register import DismissalDecision, close_semester, register_from_round
from tests.test_register import county

ROOT = Path(__file__).resolve().parent.parent


def filled(url: str) -> tuple[Archive, str]:
    """An archive holding a round, two semesters of registers and payroll, a re-competition,
    an appeal and a decision; returns it and the round's key."""
    scenario, policy = county(), Policy()
    archive = create_archive(url)
    result = kgxp.run_round(scenario, policy=policy)
    register = register_from_round(scenario, result)
    with archive.writing() as w:
        round_key = w.add_round(scenario, result)
        w.add_register(register)
        w.add_payroll(register.semester, payroll(register, scenario, policy))
    spring = close_semester(register, policy)
    recompetition = run_recompetition(scenario, spring, policy)
    spring = apply_recompetition(spring, recompetition, policy)
    with archive.writing() as w:
        w.add_recompetition(recompetition)
        w.add_register(spring)
        w.add_payroll(spring.semester, payroll(spring, scenario, policy))
        w.add_appeal(Appeal(round=round_key, teacher="l", grounds="成绩录入有误", filed_by="l"))
    return archive, round_key


def test_documents_round_trip_and_queries(archive_url: str) -> None:
    archive, round_key = filled(archive_url)
    scenario = county()
    assert archive.schema_version() == 1
    assert archive.scenario(kgxp.model.digest.scenario_digest(scenario)) == scenario
    assert document_key(archive.round(round_key)) == round_key
    spring = archive.register_at("2026-spring")
    assert spring == archive.latest_register() and spring.entry("l").streak == 1
    assert archive.payroll("2026-autumn") == payroll(
        archive.register_at("2026-autumn"), scenario, Policy()
    )
    assert [a.teacher for a in archive.appeals(round_key)] == ["l"]
    history = archive.teacher_history("l")
    assert [str(s) for s, _ in history.entries] == ["2026-autumn", "2026-spring"]
    assert [e.state.value for _, e in history.entries] == ["waiting", "continued_waiting"]
    assert history.recompetitions == (("recompetition 2026-spring", None),)
    assert len(history.pay) == 10 and len(history.appeals) == 1
    assert archive.check_chain() == []
    # creating again is an upgrade to the same head: nothing changes
    with create_archive(archive_url) as again:
        assert again.check_chain() == []
    with Archive.open(archive_url) as reopened:
        assert len(reopened.records()) == len(archive.records())
    with pytest.raises(ArchiveError, match="no register of 2030-autumn"):
        archive.register_at("2030-autumn")
    with pytest.raises(ArchiveError, match="no stored round"), archive.writing() as w:
        w.add_appeal(Appeal(round="nope", teacher="l", grounds="x", filed_by="l"))
    with pytest.raises(ArchiveError, match="teacher nobody"):
        archive.teacher_history("nobody")
    archive.close()


def test_not_an_archive(tmp_path: Path) -> None:
    (tmp_path / "other.db").write_bytes(b"")
    with pytest.raises(ArchiveError, match="not a kgxp archive"):
        Archive.open(f"sqlite:///{tmp_path / 'other.db'}")
    with pytest.raises(ArchiveError, match="cannot open"):
        Archive.open("nosuchdialect://x")


EDITS = [
    ("body", "body || ' '"),
    ("kind", "'policy'"),
    ("key", "'x'"),
    ("semester", "'2031-autumn'"),
    ("teacher", "'T9'"),
    ("ref", "'r'"),
    ("recorded_at", "'2000-01-01T00:00:00+00:00'"),
    ("body_hash", "'0'"),
    ("prev_hash", "'0'"),
]


def test_editing_any_stored_row_by_hand_is_caught(archive_url: str) -> None:
    archive, _ = filled(archive_url)
    engine = create_engine(archive_url)
    count = len(archive.records())
    for seq in (1, count // 2, count):
        for column, value in EDITS:
            with engine.begin() as c:
                before = c.execute(
                    text(f"SELECT {column} FROM records WHERE seq = :s"), {"s": seq}
                ).scalar()
                c.execute(text(f"UPDATE records SET {column} = {value} WHERE seq = :s"), {"s": seq})
            problems = archive.check_chain()
            assert problems and any(p.seq == seq for p in problems), (column, seq)
            with engine.begin() as c:
                c.execute(
                    text(f"UPDATE records SET {column} = :v WHERE seq = :s"),
                    {"v": before, "s": seq},
                )
            assert archive.check_chain() == []
    # a removed record, in the middle or at the end, is caught too
    for seq in (count // 2, count):
        with engine.begin() as c:
            row = dict(
                c.execute(text("SELECT * FROM records WHERE seq = :s"), {"s": seq}).mappings().one()
            )
            c.execute(text("DELETE FROM records WHERE seq = :s"), {"s": seq})
        assert archive.check_chain(), seq
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO records ("
                    + ", ".join(row)
                    + ") VALUES ("
                    + ", ".join(f":{k}" for k in row)
                    + ")"
                ),
                row,
            )
        assert archive.check_chain() == []
    engine.dispose()
    archive.close()


def test_a_failed_write_leaves_the_archive_as_it_was(archive_url: str) -> None:
    archive, _ = filled(archive_url)
    before = archive.records()

    def crash() -> None:
        with archive.writing() as w:
            w.add_policy(Policy(lottery_seed=99))
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError, match="crash"):
        crash()
    assert archive.records() == before and archive.check_chain() == []
    archive.close()


KILLED_WRITER = """
import sys, time
from kgxp import Policy
from kgxp.archive import Archive
archive = Archive.open(sys.argv[1])
with archive.writing() as w:
    for seed in range(1000, 1040):
        w.add_policy(Policy(lottery_seed=seed))
        if seed == 1020:
            print("half written", flush=True)
            time.sleep(120)
"""


def test_a_writer_killed_mid_write_leaves_the_archive_readable_and_consistent(
    archive_url: str,
) -> None:
    archive, _ = filled(archive_url)
    before = archive.records()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, archive_url], stdout=subprocess.PIPE, env=env
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"half written"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    reopened = Archive.open(archive_url, lock_timeout=30)
    assert reopened.records() == before and reopened.check_chain() == []
    with reopened.writing() as w:  # and it takes writes again
        w.add_policy(Policy(lottery_seed=7))
    assert len(reopened.records()) == len(before) + 1 and reopened.check_chain() == []
    reopened.close()
    archive.close()


def test_concurrent_writers_never_lose_an_update(archive_url: str) -> None:
    archive, _ = filled(archive_url)
    before = len(archive.records())
    errors: list[BaseException] = []

    def write(offset: int) -> None:
        try:
            mine = Archive.open(archive_url, lock_timeout=60)
            for seed in range(offset, offset + 8):
                with mine.writing() as w:
                    w.add_policy(Policy(lottery_seed=seed))
                    time.sleep(0.01)  # widen the window two writers could interleave in
            mine.close()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(offset,)) for offset in (100, 200, 300)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(archive.records()) == before + 24 and archive.check_chain() == []
    archive.close()


def test_a_second_writer_waits_then_fails_clearly(archive_url: str) -> None:
    archive, _ = filled(archive_url)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with archive.writing() as w:
            w.add_policy(Policy(lottery_seed=5))
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(30)
    impatient = Archive.open(archive_url, lock_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ArchiveBusy, match="another writer"), impatient.writing() as w:
        w.add_policy(Policy(lottery_seed=6))
    assert time.monotonic() - started >= 0.25  # it waited before failing
    release.set()
    holder.join()
    seeds = [Policy.model_validate_json(b).lottery_seed for b in archive._bodies("policy")]
    assert 5 in seeds and 6 not in seeds and archive.check_chain() == []
    impatient.close()
    archive.close()


def test_decisions_are_stored_per_teacher(archive_url: str) -> None:
    archive, _ = filled(archive_url)
    with archive.writing() as w:
        w.add_decisions(
            kgxp.Semester.parse("2029-autumn"),
            [DismissalDecision(teacher="d", decision="dismiss", decided_by="县教体局")],
        )
    assert [d.decision for d in archive.teacher_history("d").decisions] == ["dismiss"]
    archive.close()


def test_another_schema_version_is_refused_with_the_way_out(archive_url: str) -> None:
    create_archive(archive_url).close()
    engine = create_engine(archive_url)
    with engine.begin() as c:
        revision = c.execute(text("SELECT version_num FROM alembic_version")).scalar()
        c.execute(text("UPDATE archive_meta SET value = '2' WHERE name = 'schema_version'"))
    engine.dispose()
    assert revision == "0001"  # Alembic's own record of the migration applied
    with pytest.raises(ArchiveError, match=r"schema version 2.*kgxp archive upgrade"):
        Archive.open(archive_url)
