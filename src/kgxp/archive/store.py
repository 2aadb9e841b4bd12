"""The archive: every document of a county's cycle, append-only and hash-chained, in a database.

An :class:`Archive` keeps scenarios (by digest), policies, placement rounds,
re-competitions, the register of each semester, each semester's payroll, appeals
and human decisions, as rows of one append-only table. Each row carries the
SHA-256 of its JSON body and of the chain up to it (``record_hash = sha256(prev_hash,
seq, kind, key, semester, teacher, ref, recorded_at, body_hash)``), so editing any stored
row by hand — or deleting one — is caught by :meth:`Archive.check_chain`.

Writes go through :meth:`Archive.writing`: one database transaction that first
locks the chain head, so a crash mid-write leaves the archive as it was and two
writers never interleave (the second waits; past ``lock_timeout`` seconds it fails
with :class:`ArchiveBusy`). SQLite (a file next to the rosters) is the embedded
default; a PostgreSQL URL (``postgresql+psycopg://user@host/db``) serves a bureau.
The schema is created and upgraded by Alembic (:func:`create_archive`, :func:`upgrade`).

>>> import kgxp, tempfile, pathlib
>>> from kgxp.archive import create_archive
>>> path = pathlib.Path(tempfile.mkdtemp()) / "county.kgxp.db"
>>> archive = create_archive(f"sqlite:///{path}")
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> with archive.writing() as w:
...     digest = w.add_scenario(scenario)
>>> archive.scenario(digest) == scenario, archive.check_chain()
(True, [])
>>> archive.close()  # or open it in a ``with`` block: its connections are released
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import BaseModel, Field, TypeAdapter
from sqlalchemy import Connection, Engine, create_engine, event, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from kgxp._internal.frozen import FrozenModel, Id
from kgxp._internal.log import get_logger
from kgxp.archive.tables import SCHEMA_VERSION, chain_head, meta, records
from kgxp.exceptions import KgxpError
from kgxp.files.scenario_json import dump_scenario, parse_scenario
from kgxp.model.arguments import result_of
from kgxp.model.digest import scenario_digest
from kgxp.model.policy import Policy
from kgxp.model.result import RoundResult
from kgxp.model.scenario import Scenario
from kgxp.model.semester import Semester
from kgxp.waiting.ledger import LedgerLine
from kgxp.waiting.recompetition_round import RecompetitionResult
from kgxp.waiting.register import DismissalDecision, Register, RegisterEntry

__all__ = [
    "Appeal",
    "Archive",
    "ArchiveBusy",
    "ArchiveError",
    "ChainProblem",
    "StoredRecord",
    "TeacherHistory",
    "Writer",
    "document_key",
    "make_engine",
]

log = get_logger(__name__)

GENESIS: Final = "0" * 64
_LINES = TypeAdapter(tuple[LedgerLine, ...])
_DECISIONS = TypeAdapter(tuple[DismissalDecision, ...])


class ArchiveError(KgxpError, RuntimeError):
    """The archive cannot do what was asked (not an archive, another schema version, a
    document that is not there)."""


class ArchiveBusy(ArchiveError):
    """Another writer held the archive longer than the lock timeout; nothing was written."""


class Appeal(FrozenModel):
    """An appeal (复核/申诉) against a round: who, against which round, on what grounds."""

    round: str = Field(description="the appealed round's key (Archive.add_round's return)")
    teacher: Id
    grounds: str = Field(min_length=1, max_length=4000)
    filed_by: str = Field(min_length=1, max_length=200)
    outcome: str | None = Field(default=None, description="the decision, once taken")


class ChainProblem(FrozenModel):
    """One break of the hash chain: the record (sequence number) and what is wrong."""

    seq: int
    message: str


class StoredRecord(FrozenModel):
    """A record's header (the body is read through the typed accessors)."""

    seq: int
    kind: str
    key: str
    semester: str | None
    teacher: str | None
    ref: str | None
    recorded_at: str
    record_hash: str


class TeacherHistory(FrozenModel):
    """A teacher's whole stored life: the register entry of each archived semester (with
    its events), every re-competition outcome (name, post won), pay line, appeal and decision."""

    teacher: Id
    entries: tuple[tuple[Semester, RegisterEntry], ...]
    recompetitions: tuple[tuple[str, Id | None], ...]
    pay: tuple[LedgerLine, ...]
    appeals: tuple[Appeal, ...]
    decisions: tuple[DismissalDecision, ...]


def document_key(document: BaseModel) -> str:
    """SHA-256 of a document's JSON: the key a round or re-competition is stored under."""
    return _sha(document.model_dump_json())


def _sha(data: str) -> str:
    return hashlib.sha256(data.encode()).hexdigest()


def _chain_hash(prev: str, row: dict[str, Any]) -> str:
    fields = [
        prev,
        row["seq"],
        row["kind"],
        row["key"],
        row["semester"],
        row["teacher"],
        row["ref"],
        row["recorded_at"],
        row["body_hash"],
    ]
    return _sha(json.dumps(fields, ensure_ascii=False, separators=(",", ":")))


class Writer:
    """Appends records inside one transaction (see :meth:`Archive.writing`)."""

    def __init__(self, connection: Connection, seq: int, head: str) -> None:
        self._connection = connection
        self._seq = seq
        self._head = head
        self.written = 0

    def _exists(self, kind: str, key: str) -> bool:
        found = self._connection.execute(
            select(records.c.seq).where(records.c.kind == kind, records.c.key == key).limit(1)
        ).first()
        return found is not None

    def _append(
        self,
        kind: str,
        key: str,
        body: str,
        *,
        semester: str | None = None,
        teacher: str | None = None,
        ref: str | None = None,
    ) -> str:
        row: dict[str, Any] = {
            "seq": self._seq + 1,
            "kind": kind,
            "key": key,
            "semester": semester,
            "teacher": teacher,
            "ref": ref,
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "body": body,
            "body_hash": _sha(body),
            "prev_hash": self._head,
        }
        row["record_hash"] = _chain_hash(self._head, row)
        self._connection.execute(insert(records).values(**row))
        self._seq, self._head = row["seq"], row["record_hash"]
        self.written += 1
        return key

    def _require_scenario(self, digest: str, what: str) -> None:
        if not self._exists("scenario", digest):
            raise ArchiveError(
                f"{what}: no stored scenario {digest[:12]}… (store its scenario first: "
                "add_scenario, or add_round)"
            )

    def add_scenario(self, scenario: Scenario) -> str:
        """Store the scenario once per digest; returns the digest."""
        digest = scenario_digest(scenario)
        if not self._exists("scenario", digest):
            self._append("scenario", digest, dump_scenario(scenario))
        return digest

    def add_policy(self, policy: Policy) -> str:
        """Store the policy once per content; returns its key."""
        key = document_key(policy)
        if not self._exists("policy", key):
            self._append("policy", key, policy.model_dump_json())
        return key

    def add_round(self, scenario: Scenario, result: RoundResult) -> str:
        """Store a placement round with its scenario and policy; returns the round's key.

        ``result`` must have been run on ``scenario``: a round filed under another
        scenario would be read back with it (:class:`~kgxp.exceptions.ScenarioMismatchError`,
        nothing stored).
        """
        result_of(scenario, result)  # before anything is stored (I12)
        digest = self.add_scenario(scenario)
        self.add_policy(result.policy)
        return self._append("round", document_key(result), result.model_dump_json(), ref=digest)

    def add_recompetition(self, result: RecompetitionResult) -> str:
        """Store a re-competition (R9); returns its key.

        Its scenario must be stored already (in this write or before): read back, it
        names it. :class:`ArchiveError` otherwise. (The register it ran on need not be:
        the archive keeps one register a semester, the one after the re-competition.)
        """
        self._require_scenario(result.scenario_digest, f"re-competition {result.name!r}")
        self.add_policy(result.policy)
        return self._append(
            "recompetition",
            document_key(result),
            result.model_dump_json(),
            semester=str(result.semester),
            ref=result.register_digest,
        )

    def add_register(self, register: Register) -> str:
        """Store the register of its semester (a later one of the same semester supersedes it).

        Its scenario must be stored already (in this write or before), as a register is
        read with it (:meth:`Archive.scenario`): :class:`ArchiveError` otherwise.
        """
        self._require_scenario(register.scenario_digest, f"register of {register.semester}")
        return self._append(
            "register",
            register.digest,
            register.model_dump_json(),
            semester=str(register.semester),
            ref=register.scenario_digest,
        )

    def add_payroll(self, semester: Semester, lines: Sequence[LedgerLine]) -> str:
        """Store a semester's pay lines (R8, R9, R18)."""
        body = _LINES.dump_json(tuple(lines)).decode()
        return self._append("payroll", _sha(body), body, semester=str(semester))

    def add_appeal(self, appeal: Appeal) -> str:
        """Store an appeal against a stored round."""
        if not self._exists("round", appeal.round):
            raise ArchiveError(
                f"appeal of teacher {appeal.teacher}: no stored round {appeal.round}"
            )
        body = appeal.model_dump_json()
        return self._append("appeal", _sha(body), body, teacher=appeal.teacher, ref=appeal.round)

    def add_decisions(self, semester: Semester, decisions: Iterable[DismissalDecision]) -> str:
        """Store human decisions on dismissal reviews (R10), one record per teacher."""
        key = ""
        for decision in decisions:
            body = decision.model_dump_json()
            key = self._append(
                "decision", _sha(body), body, semester=str(semester), teacher=decision.teacher
            )
        return key


class Archive:
    """A county's archive in a database (see the module docstring). Open with
    :func:`create_archive` or :meth:`Archive.open`."""

    def __init__(self, engine: Engine, *, lock_timeout: float = 30.0) -> None:
        self.engine = engine
        self.lock_timeout = lock_timeout

    @classmethod
    def open(cls, url: str, *, lock_timeout: float = 30.0) -> Archive:
        """Open an existing archive; :class:`ArchiveError` if it is none or of another schema."""
        archive = cls(make_engine(url, lock_timeout), lock_timeout=lock_timeout)
        try:
            version = archive.schema_version()
        except ArchiveError:
            archive.close()
            raise
        if version != SCHEMA_VERSION:
            archive.close()
            raise ArchiveError(
                f"archive schema version {version}, this kgxp reads {SCHEMA_VERSION}: "
                "upgrade it with `kgxp archive upgrade`"
            )
        return archive

    def close(self) -> None:
        """Close the archive's connections."""
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        try:
            with self.engine.connect() as connection:
                value = connection.execute(
                    select(meta.c.value).where(meta.c.name == "schema_version")
                ).scalar_one_or_none()
        except DBAPIError:
            value = None
        if value is None:
            raise ArchiveError(
                f"{self.engine.url.render_as_string(hide_password=True)} is not a kgxp archive "
                "(create one with `kgxp archive create`)"
            )
        return int(value)

    @contextmanager
    def writing(self) -> Iterator[Writer]:
        """One transaction: every record added in the block is stored, or none is."""
        try:
            with (
                self.engine.connect().execution_options(kgxp_write=True) as connection,
                connection.begin(),
            ):
                head = _lock_head(connection, self.lock_timeout)
                writer = Writer(connection, *head)
                yield writer
                connection.execute(
                    update(chain_head)
                    .where(chain_head.c.id == 1)
                    .values(seq=writer._seq, record_hash=writer._head)
                )
        except (OperationalError, IntegrityError) as error:
            if _is_lock_error(error):
                raise ArchiveBusy(
                    f"another writer held the archive for more than {self.lock_timeout} s; "
                    "nothing was written, try again"
                ) from None
            if isinstance(error, IntegrityError):  # the chain's own backstop: unique seq, hash
                raise ArchiveBusy(
                    "another writer appended to the archive at the same time; nothing was "
                    "written, try again"
                ) from None
            raise
        log.info("archive.written", records=writer.written, head=writer._seq)

    # --- queries ---

    def records(self, kind: str | None = None) -> list[StoredRecord]:
        """The headers of all records (of ``kind``), in chain order."""
        columns = [c for c in records.c if c.name not in {"body", "body_hash", "prev_hash"}]
        query = select(*columns).order_by(records.c.seq)
        if kind is not None:
            query = query.where(records.c.kind == kind)
        with self.engine.connect() as connection:
            return [StoredRecord(**row._asdict()) for row in connection.execute(query)]

    def _bodies(self, kind: str, **where: str) -> list[str]:
        query = select(records.c.body).where(records.c.kind == kind).order_by(records.c.seq)
        for name, value in where.items():
            query = query.where(records.c[name] == value)
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def _one(self, kind: str, key: str) -> str:
        found = self._bodies(kind, key=key)
        if not found:
            raise ArchiveError(f"no {kind} {key} in the archive")
        return found[-1]

    def scenario(self, digest: str) -> Scenario:
        return parse_scenario(self._one("scenario", digest))

    def round(self, key: str) -> RoundResult:
        return RoundResult.from_json(self._one("round", key))

    def recompetition(self, key: str) -> RecompetitionResult:
        return RecompetitionResult.from_json(self._one("recompetition", key))

    def register_at(self, semester: Semester | str) -> Register:
        """The latest register stored for ``semester``."""
        found = self._bodies("register", semester=str(semester))
        if not found:
            raise ArchiveError(f"no register of {semester} in the archive")
        return Register.from_json(found[-1])

    def latest_register(self) -> Register:
        """The register stored last."""
        found = self.records("register")
        if not found:
            raise ArchiveError("the archive holds no register yet")
        return Register.from_json(self._bodies("register", key=found[-1].key)[-1])

    def latest_round(self) -> tuple[str, RoundResult]:
        """The placement round stored last, with its key: its policy and seed run the cycle."""
        found = self.records("round")
        if not found:
            raise ArchiveError("the archive holds no placement round yet")
        return found[-1].key, self.round(found[-1].key)

    def payroll(self, semester: Semester | str) -> tuple[LedgerLine, ...]:
        """The pay lines stored last for ``semester``."""
        found = self._bodies("payroll", semester=str(semester))
        if not found:
            raise ArchiveError(f"no payroll of {semester} in the archive")
        return _LINES.validate_json(found[-1])

    def appeals(self, round_key: str) -> list[Appeal]:
        """Every appeal against the round ``round_key``, in filing order."""
        return [Appeal.model_validate_json(b) for b in self._bodies("appeal", ref=round_key)]

    def teacher_history(self, teacher_id: str) -> TeacherHistory:
        """Everything stored about one teacher, in chain order.

        Only the teacher's own parts of each stored document are validated (the JSON is
        searched first), so a history is quick whatever the county's size."""
        entries: dict[str, tuple[Semester, RegisterEntry]] = {}
        for body in self._bodies("register"):
            data = json.loads(body)
            for entry in data["entries"]:
                if entry["teacher"] == teacher_id:
                    semester = Semester.parse(data["semester"])
                    entries[str(semester)] = (semester, RegisterEntry.model_validate(entry))
        if not entries:
            raise ArchiveError(f"teacher {teacher_id} is in no stored register")
        recompetitions = [
            (str(data["name"]), outcome["post"])
            for data in map(json.loads, self._bodies("recompetition"))
            for outcome in data["outcomes"]
            if outcome["teacher"] == teacher_id
        ]
        pay = [
            LedgerLine.model_validate(line)
            for body in self._bodies("payroll")
            for line in json.loads(body)
            if line["teacher"] == teacher_id
        ]
        return TeacherHistory(
            teacher=teacher_id,
            entries=tuple(sorted(entries.values(), key=lambda item: item[0])),
            recompetitions=tuple(recompetitions),
            pay=tuple(pay),
            appeals=tuple(
                Appeal.model_validate_json(b) for b in self._bodies("appeal", teacher=teacher_id)
            ),
            decisions=tuple(
                DismissalDecision.model_validate_json(b)
                for b in self._bodies("decision", teacher=teacher_id)
            ),
        )

    def check_chain(self) -> list[ChainProblem]:
        """Every break of the hash chain (``[]`` when no stored row was edited or removed)."""
        problems: list[ChainProblem] = []
        previous, expected_seq = GENESIS, 1
        with self.engine.connect() as connection:
            rows = connection.execute(select(records).order_by(records.c.seq))
            for row in rows.mappings():
                seq = row["seq"]
                if seq != expected_seq:
                    problems.append(
                        ChainProblem(seq=seq, message=f"record {expected_seq} is missing")
                    )
                if _sha(row["body"]) != row["body_hash"]:
                    problems.append(ChainProblem(seq=seq, message="the body was edited"))
                if row["prev_hash"] != previous:
                    problems.append(
                        ChainProblem(seq=seq, message="the link to the previous record is broken")
                    )
                if _chain_hash(row["prev_hash"], dict(row)) != row["record_hash"]:
                    problems.append(
                        ChainProblem(seq=seq, message="the record's fields were edited")
                    )
                previous, expected_seq = row["record_hash"], seq + 1
            head = connection.execute(select(chain_head).where(chain_head.c.id == 1)).first()
        if head is None or head.seq != expected_seq - 1 or head.record_hash != previous:
            problems.append(
                ChainProblem(
                    seq=expected_seq - 1,
                    message="the chain head does not name the last record (a record was removed)",
                )
            )
        return problems


def make_engine(url: str, lock_timeout: float = 30.0) -> Engine:
    """A SQLAlchemy engine for an archive URL, with the locking the archive relies on."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": lock_timeout})
            _sqlite_transactions(engine)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except Exception as error:  # an unknown dialect, a bad URL: say which
        raise ArchiveError(f"cannot open the archive at {url!r}: {error}") from None


def _sqlite_transactions(engine: Engine) -> None:
    # pysqlite's own BEGIN is deferred and its autocommit handling would split Alembic's
    # DDL; take transactions into our hands, and take the write lock up front for a writer
    # (BEGIN IMMEDIATE), so two writers queue on SQLite's busy timeout instead of failing
    # when they upgrade a read lock.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("kgxp_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _lock_head(connection: Connection, lock_timeout: float) -> tuple[int, str]:
    if connection.dialect.name == "postgresql":
        milliseconds = max(1, int(lock_timeout * 1000))
        connection.execute(text(f"SET LOCAL lock_timeout = {milliseconds}"))
        query = select(chain_head.c.seq, chain_head.c.record_hash).where(chain_head.c.id == 1)
        head = connection.execute(query.with_for_update()).first()
    else:
        head = connection.execute(
            select(chain_head.c.seq, chain_head.c.record_hash).where(chain_head.c.id == 1)
        ).first()
    if head is None:
        raise ArchiveError("the archive has no chain head: not a kgxp archive")
    return int(head.seq), str(head.record_hash)


def _is_lock_error(error: DBAPIError) -> bool:
    message = str(error.orig).lower()
    return "locked" in message or "lock timeout" in message or "could not obtain lock" in message
