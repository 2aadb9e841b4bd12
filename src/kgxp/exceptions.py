"""kgxp's exceptions: few, structured, each subclassing the fitting built-in.

Every layer raises them (the private helpers included), so the hierarchy sits at the
base of the package and imports nothing else of kgxp.

Every kgxp error is also data a service can send: :meth:`KgxpError.document` gives an
:class:`ErrorDocument` (``error`` class name, ``message``, the located ``problems``,
``details``), :meth:`KgxpError.to_json` its JSON, and :func:`error_json_schema` the
published JSON Schema of that document.

>>> error = ScenarioError([Problem("teachers[0]", "school", "no school 'S9'", record_id="T1")])
>>> error.document().problems[0].record_id
'T1'
>>> error.to_json()[:40]
'{"error":"ScenarioError","message":"inva'
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.dataclasses import dataclass as pydantic_dataclass

__all__ = [
    "CalendarYearError",
    "ErrorDocument",
    "KgxpError",
    "MissingExtraError",
    "OutputError",
    "PolicyError",
    "Problem",
    "RosterWarning",
    "ScenarioError",
    "SweepError",
    "error_json_schema",
]


@pydantic_dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, precise enough to fix without reading code.

    ``record`` says where (``"teachers[12]"``, ``"file"``), ``record_id`` the
    record's own id when it has one, ``field`` the offending field, ``rule``
    the domain rule the check enforces (``"R1"``) when there is one. A
    (pydantic) dataclass: it serialises to JSON as it is, e.g. in a FastAPI response.
    """

    record: str
    field: str
    message: str
    record_id: str | None = None
    rule: str | None = None
    code: str = "invalid"

    def __str__(self) -> str:
        where = self.record if self.record_id is None else f"{self.record} (id={self.record_id})"
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{where}.{self.field}: {self.message}{rule}"


class ErrorDocument(BaseModel):
    """A kgxp error as data: what a service sends instead of a traceback."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    error: str = Field(description="the exception class, e.g. ScenarioError")
    message: str = Field(description="the error's text, as str(error)")
    problems: tuple[Problem, ...] = Field(
        default=(), description="every located problem of the input (empty when not about input)"
    )
    details: dict[str, str] = Field(
        default_factory=dict, description="the error's other attributes (e.g. extra, module)"
    )


_ERROR_ADAPTER: TypeAdapter[ErrorDocument] = TypeAdapter(ErrorDocument)


def error_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`ErrorDocument` (``kgxp schema error``)."""
    return _ERROR_ADAPTER.json_schema(mode="serialization")


class KgxpError(Exception):
    """Base class of every error kgxp raises on purpose."""

    def problems_as_data(self) -> tuple[Problem, ...]:
        """The located problems this error carries (none by default)."""
        return ()

    def details(self) -> Mapping[str, str]:
        """Other attributes worth sending (subclasses add theirs)."""
        return {}

    def document(self) -> ErrorDocument:
        """This error as an :class:`ErrorDocument`."""
        return ErrorDocument(
            error=type(self).__name__,
            message=str(self),
            problems=self.problems_as_data(),
            details=dict(self.details()),
        )

    def to_json(self) -> str:
        """:meth:`document` as JSON (UTF-8 text, Chinese unescaped)."""
        return self.document().model_dump_json()


class ScenarioError(KgxpError, ValueError):
    """A scenario (or a file holding one) is invalid; ``problems`` lists every problem found.

    Nothing is run on an invalid scenario: every entry point that takes a
    scenario validates it first and raises this with all problems at once.
    """

    def __init__(self, problems: Iterable[Problem], *, summary: str = "invalid scenario") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.summary = summary
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.problems)
        head = f"{self.summary}: {count} problem{'s' if count != 1 else ''}"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only summary: the default pickling (args only) would lose it.
        return (_rebuild_input_error, (type(self), self.problems, self.summary))

    def codes(self) -> Sequence[str]:
        """The problem codes, in order: handy for tests and for grouping in a UI."""
        return [p.code for p in self.problems]

    def problems_as_data(self) -> tuple[Problem, ...]:
        return self.problems

    def details(self) -> Mapping[str, str]:
        return {"summary": self.summary}


class PolicyError(ScenarioError):
    """A policy (a file, or :meth:`Policy.evolve <kgxp.Policy.evolve>` changes) is invalid.

    A :class:`ScenarioError` too, since a policy is half of a run's input: code that
    handles bad input once handles both.
    """

    def __init__(self, problems: Iterable[Problem], *, summary: str = "invalid policy") -> None:
        super().__init__(problems, summary=summary)


class ScenarioMismatchError(ScenarioError):
    """A document given with a scenario it did not come from; nothing is made of the pair.

    Metrics, reports, publications, plots, the waiting register's functions and an
    appeal's notice read the teachers, schools and posts from the scenario and the rest
    from the document (a round's result, a register, a comparison): with another
    scenario (an edited file, a corrected record, another county) they would mix the two
    without a word. Each of these documents carries its scenario's digest (I12); each
    problem names the argument given (``record``: ``"result"``, ``"b"``, ``"register"``…)
    and both digests. The ``summary`` says what was mismatched: ``"result of another
    scenario"`` (the default), ``"register of another scenario"``, or ``"scenario of
    neither compared round"`` for an appeal's notice.
    """

    def __init__(
        self, problems: Iterable[Problem], *, summary: str = "result of another scenario"
    ) -> None:
        super().__init__(problems, summary=summary)


def _rebuild_input_error(
    cls: type[ScenarioError], problems: tuple[Problem, ...], summary: str
) -> ScenarioError:
    return cls(problems, summary=summary)


class MissingExtraError(KgxpError, ImportError):
    """An optional package is needed; ``extra`` names the kgxp extra that installs it."""

    def __init__(self, module: str, extra: str, feature: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional package {module!r}: pip install 'kgxp[{extra}]'"
        )

    def details(self) -> Mapping[str, str]:
        return {"module": self.module, "extra": self.extra}


class CalendarYearError(KgxpError, ValueError):
    """A date falls in a year whose public holidays and make-up workdays are not known yet.

    China's State Council publishes each year's holiday schedule late in the year
    before; until the installed calendar has it, working days cannot be counted.
    """

    def __init__(self, year: int, known: str) -> None:
        self.year = year
        super().__init__(
            f"the public-holiday calendar does not know {year} yet (it knows {known}); "
            "update the chinesecalendar package once the State Council has published "
            f"the {year} holiday schedule"
        )

    def details(self) -> Mapping[str, str]:
        return {"year": str(self.year)}


class OutputError(KgxpError, OSError):
    """kgxp will not write a file: it exists already, or the path cannot hold it.

    Raised before anything is written when the target is known to be wrong
    (an existing file, a folder that is a file), so nothing is half-written.
    """


class SweepError(KgxpError, RuntimeError):
    """A sweep's executor could not run one of its tasks; nothing of the sweep is returned.

    A worker process died (often killed for memory), the executor was shut down, or
    the cluster's client was closed or lost its scheduler: the executor's failure, not
    the input's (a task's own error is raised as it is). ``task`` names the task (a
    what-if round's variant, a range of lottery draws); the executor's exception is
    the ``__cause__``, and ``details()`` names its class.

    >>> error = SweepError("draws 1–125 of 1000", 1, 8, RuntimeError("cannot schedule new futures after shutdown"))
    >>> error.task
    'draws 1–125 of 1000'
    >>> error.details()["cause"]
    'RuntimeError'
    """

    def __init__(self, task: str, position: int, total: int, cause: BaseException) -> None:
        self.task = task
        self.cause = type(cause).__name__
        said = str(cause).strip()
        super().__init__(
            f"the executor could not run {task} ({position} of {total}): {_sweep_hint(cause)}"
            f" [{self.cause}{': ' + said if said else ''}]"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # The cause itself may not pickle (a cluster's connection): keep what was said.
        return (_rebuild_sweep_error, (self.task, self.cause, str(self)))

    def details(self) -> Mapping[str, str]:
        return {"task": self.task, "cause": self.cause}


def _sweep_hint(cause: BaseException) -> str:
    """What the executor's failure means and what to try, by its kind."""
    name = type(cause).__name__
    if isinstance(cause, AssertionError) and multiprocessing.current_process().daemon:
        # multiprocessing's own refusal, an assert ("daemonic processes are not allowed
        # to have children"): the pool was made where no process can start.
        return (
            "this process is daemonic (a worker of a process pool or of a task queue) and "
            "cannot start worker processes; pass executor='serial', or the default, which "
            "then runs the sweep in this process, or a cluster's client"
        )
    if isinstance(cause, RuntimeError) and _importing_the_main_script():
        # multiprocessing's refusal in a worker that is importing the main script (as
        # forkserver and spawn start one): the script started a sweep at top level.
        return (
            "this worker process is importing the main script, which starts the sweep "
            f"again; put the script's sweep under {_MAIN_GUARD} (local processes import "
            "the main script), or pass executor='serial'"
        )
    if name in {"BrokenProcessPool", "BrokenThreadPool", "BrokenExecutor"}:
        return (
            "a worker process stopped abruptly (killed, often for lack of memory); run the "
            "sweep again with fewer workers, on a machine with more memory, or with "
            "executor='serial'; a script that starts a sweep on local processes also needs "
            f"{_MAIN_GUARD}, or each worker dies importing it"
        )
    if name == "KilledWorker":
        return (
            "the cluster's workers died running it (often for lack of memory); give the "
            "workers more memory or fewer threads, or split lottery draws into more chunks"
        )
    if name in {"CancelledError", "FutureCancelledError"}:
        return (
            "the task was cancelled before it ran (the executor was shut down, or the "
            "cluster's client closed, during the sweep)"
        )
    if name in {"ClosedClientError", "CommClosedError"}:
        return "the cluster's client is closed or has lost its scheduler; connect again"
    return "the executor was shut down or refused the task; pass one that is running"


_MAIN_GUARD = 'the guard if __name__ == "__main__":'


def _importing_the_main_script() -> bool:
    """Whether this process is a worker still starting up, importing the main script (as
    forkserver and spawn do): the flag multiprocessing itself reads to refuse a process
    started then. Private to multiprocessing, so read with a default: without it, the
    hint is only less precise."""
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


def _rebuild_sweep_error(task: str, cause: str, message: str) -> SweepError:
    error = SweepError.__new__(SweepError)
    error.task, error.cause = task, cause
    Exception.__init__(error, message)
    return error


class RosterWarning(KgxpError, UserWarning):
    """Something in a roster read with ``strict=False`` that would otherwise be an error."""
