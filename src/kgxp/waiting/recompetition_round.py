"""The re-competition as a first-class round (R9): a result like a placement round's.

Seed 000: "待岗期满后,根据各学校空缺岗位,进行竞聘上岗。未竞聘上岗者,继续待岗". At a
semester boundary the teachers whose waiting term has ended (the register's
``due`` teachers) compete for the open seats (the register's ``vacancies``).
:func:`run_recompetition` runs it (the applications and matching of
:mod:`kgxp.waiting.recompetition`) and returns a :class:`RecompetitionResult`: one
outcome per competing teacher with the posts applied for and the reasons, the
scenario's digest, the register's digest, the policy and seed. It round-trips
through JSON unchanged; :func:`kgxp.checks.recompetition.verify_recompetition` checks it;
:func:`apply_recompetition` moves the register on with it.

>>> import kgxp
>>> from kgxp.waiting.register import register_from_round, close_semester
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> policy = kgxp.Policy()
>>> register = close_semester(register_from_round(scenario, kgxp.run_round(scenario)), policy)
>>> result = run_recompetition(scenario, register, policy)
>>> len(result.outcomes) == len(register.due()), str(result.semester)
(True, '2026-spring')
>>> RecompetitionResult.model_validate_json(result.model_dump_json()) == result
True
>>> after = apply_recompetition(register, result, policy)
>>> after.due()
()
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.frozen import FrozenModel, Id
from kgxp._internal.log import get_logger
from kgxp.model.arguments import (
    policy_argument,
    scenario_argument,
    seed_argument,
)
from kgxp.model.digest import scenario_digest
from kgxp.model.document_json import ReadableDocument
from kgxp.model.policy import Policy
from kgxp.model.result import Reason, SolverStats
from kgxp.model.scenario import Scenario
from kgxp.model.semester import Semester
from kgxp.round.ranking import scenario_ranking
from kgxp.waiting.recompetition import _recompete
from kgxp.waiting.register import register_argument, register_of
from kgxp.waiting.register_documents import (
    _TEACHER_ID,
    Register,
    RegisterEntry,
    RegisterError,
)
from kgxp.waiting.register_events import Stepper, _sorted_seats
from kgxp.waiting.state_machine import WaitingEvent

__all__ = [
    "RecompetitionOutcome",
    "RecompetitionResult",
    "apply_recompetition",
    "recompetition_rows",
    "run_recompetition",
]

log = get_logger(__name__)


class RecompetitionOutcome(FrozenModel):
    """One competing teacher: the post won (None: keeps waiting, R9) and why."""

    teacher: Id
    post: Id | None = None
    school: Id | None = None
    score: Decimal = Field(description="the teacher's composite score")
    applied: tuple[Id, ...] = Field(description="the posts applied for, in preference order")
    reasons: tuple[Reason, ...] = ()


class RecompetitionResult(ReadableDocument):
    """A re-competition (R9) as data: JSON round-trips unchanged."""

    document_name: ClassVar[str] = "re-competition result"

    name: str
    semester: Semester = Field(description="the semester the re-competition opens")
    scenario_digest: str
    register_digest: str = Field(description="the register whose due teachers competed")
    policy: Policy
    seed: int
    vacancies: dict[Id, int] = Field(description="the seats offered (post id -> seats)")
    outcomes: tuple[RecompetitionOutcome, ...] = Field(description="in teacher-id order")
    solver: SolverStats

    @property
    def placed(self) -> dict[str, str]:
        """Teacher id -> post won."""
        return {o.teacher: o.post for o in self.outcomes if o.post is not None}


@in_kgxp_decimal_context
def run_recompetition(
    scenario: Scenario,
    register: Register,
    policy: Policy | None = None,
    *,
    seed: int | None = None,
    name: str | None = None,
) -> RecompetitionResult:
    """The register's due teachers compete for its vacancies (R9); the register is unchanged.

    Posts rank them as in the placement round (composite score, tie-breakers, the
    lottery of ``seed``, default ``policy.lottery_seed``) under the policy's
    mechanism. Raises :class:`~kgxp.waiting.register.RegisterError` when a due
    teacher or an open post is not in ``scenario``.
    """
    scenario = scenario_argument(scenario)
    register = register_of(scenario, register)  # made from this scenario (I12)
    policy = policy_argument(policy)
    seed = policy.lottery_seed if seed is None else seed_argument(seed)
    name = name or f"recompetition {register.semester}"
    due = register.due()
    teachers = {t.id for t in scenario.teachers}
    posts = {p.id: p for p in scenario.posts}
    missing = [t for t in due if t not in teachers]
    if missing:
        raise RegisterError(
            f"teacher(s) due to compete are not in the scenario: {', '.join(missing)}"
        )
    unknown = sorted(p for p in register.vacancies if p not in posts)
    if unknown:
        raise RegisterError(f"vacancies name posts not in the scenario: {', '.join(unknown)}")
    ranking = scenario_ranking(scenario, policy, seed)
    if due:
        found, applicants = _recompete(scenario, due, register.vacancies, policy, ranking, name)
        placed, reasons, solver = found.placed, found.reasons, found.solver
        applied = {t.id: t.preferences for t in applicants}
    else:
        placed, reasons, applied = {}, {}, {}
        solver = SolverStats(mechanism=policy.mechanism.value, status="empty", objective=0)
    outcomes = tuple(
        RecompetitionOutcome(
            teacher=teacher,
            post=placed.get(teacher),
            school=posts[placed[teacher]].school if teacher in placed else None,
            score=ranking.score[teacher],
            applied=applied[teacher],
            reasons=reasons.get(teacher, ()),
        )
        for teacher in due
    )
    log.info(
        "recompetition.finished",
        semester=str(register.semester),
        competed=len(due),
        placed=len(placed),
    )
    return RecompetitionResult(
        name=name,
        semester=register.semester,
        scenario_digest=scenario_digest(scenario),
        register_digest=register.digest,
        policy=policy,
        seed=seed,
        vacancies=_sorted_seats(register.vacancies),
        outcomes=outcomes,
        solver=solver,
    )


@in_kgxp_decimal_context
def apply_recompetition(
    register: Register, result: RecompetitionResult, policy: Policy | None = None
) -> Register:
    """The register after ``result``: winners ``on_post`` at their new post, the others in
    continued waiting (or still under review), the seats won taken from the vacancies.

    ``result`` must have been run on this very register (its digest), so an outcome
    cannot be applied twice or to another semester: :class:`RegisterError`.
    """
    register = register_argument(register)
    # No policy given: the one the re-competition ran under, not the default Policy().
    policy = result.policy if policy is None else policy_argument(policy, optional=False)
    if result.register_digest != register.digest:
        raise RegisterError(
            f"re-competition {result.name!r} was run on another register than the one of "
            f"{register.semester} (digest {result.register_digest[:12]}… ≠ {register.digest[:12]}…)"
        )
    placed = {o.teacher: (o.post, o.school) for o in result.outcomes if o.post is not None}
    competing = {o.teacher for o in result.outcomes}
    return _moved(register, competing, placed, policy, result.name)


def _moved(
    register: Register,
    competing: Collection[str],
    placed: Mapping[str, tuple[str, str | None]],
    policy: Policy,
    name: str,
) -> Register:
    """The register after a re-competition named ``name``: the ``competing`` teachers in
    ``placed`` (teacher -> post, school) on post there, the others in continued waiting."""
    vacancies = dict(register.vacancies)
    stepper = Stepper(register.semester, policy)
    entries: list[RegisterEntry] = list(register.entries)
    # The competing few found in one comprehension over the ids; the others stay as they are.
    ids = list(map(_TEACHER_ID, entries))
    for at in [at for at, teacher in enumerate(ids) if teacher in competing]:
        entry = entries[at]
        won = placed.get(entry.teacher)
        if won is None:
            entries[at] = stepper.apply(entry, WaitingEvent.ROUND_NOT_PLACED, name)
            continue
        post, school = won
        vacancies[post] = vacancies.get(post, 0) - 1
        entries[at] = stepper.apply(
            entry, WaitingEvent.ROUND_PLACED, name, post=post, school=school
        )
    if any(n < 0 for n in vacancies.values()):
        raise RegisterError(f"re-competition {name!r} fills more seats than are open")
    return register.model_copy(
        update={"entries": tuple(entries), "vacancies": _sorted_seats(vacancies)}
    )


RECOMPETITION_HEADER = ("序号", "教师编号", "竞聘结果", "聘用岗位", "聘用学校", "综合成绩")
"""The Chinese header of :func:`recompetition_rows` (the 公示 list of a re-competition)."""


def recompetition_rows(result: RecompetitionResult) -> list[tuple[str, ...]]:
    """The publication list (公示) of a re-competition: one row per competing teacher."""
    rows: list[tuple[str, ...]] = []
    for number, outcome in enumerate(result.outcomes, start=1):
        rows.append(
            (
                str(number),
                outcome.teacher,
                "竞聘上岗" if outcome.post else "继续待岗",
                outcome.post or "",
                outcome.school or "",
                str(outcome.score),
            )
        )
    return rows
