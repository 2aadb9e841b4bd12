"""Lottery odds: how much did the draw (抽签) decide? (R12, I12)

Counties rank candidates by composite score, then tie-breakers, then a lottery.
Each published round uses one seed; :func:`lottery_odds` asks what would have
happened under ``draws`` other seeds, each derived from one explicit ``seed``
(:func:`draw_seeds`), and reports per teacher how often each status and each post
came out, with a Wilson score interval. A teacher whose post changes from draw to
draw had their fate decided by the lottery, not by merit.

Only what a seed changes is re-run (:mod:`kgxp.lottery.replay`): the county is
validated, scored and prepared once, then each draw re-ranks the tied teachers and
re-runs the matching. Draws run in chunks on an executor (:mod:`kgxp._internal.executors`:
local processes by default, or a Dask cluster); the counts do not depend on how the
draws were split, so the document is byte-identical whatever the executor.

>>> import kgxp
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> odds = lottery_odds(scenario, kgxp.Policy(), draws=20, executor="serial")
>>> odds.draws, len(odds.teachers)
(20, 2431)
>>> len(odds.post_decided())  # the four default tie-breakers leave nothing to the draw
0
>>> by_score = lottery_odds(scenario, kgxp.Policy().evolve(tie_breakers=()), draws=20,
...                         executor="serial")
>>> len(by_score.post_decided()) > 0
True
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate, pairwise
from statistics import NormalDist
from typing import ClassVar

from pydantic import Field, model_validator

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.executors import Executor, concurrency, run_tasks
from kgxp._internal.frozen import FrozenModel, Id
from kgxp._internal.gc_pause import collector_paused
from kgxp._internal.log import get_logger
from kgxp._internal.progress import Progress, Tracker
from kgxp._internal.rendering import html_of
from kgxp.exceptions import Problem, ScenarioError
from kgxp.lottery.replay import STATUSES, Replay
from kgxp.model.arguments import (
    fraction_argument,
    policy_argument,
    scenario_argument,
    seed_argument,
    whole_argument,
)
from kgxp.model.digest import scenario_digest
from kgxp.model.document_json import ReadableDocument
from kgxp.model.policy import Policy
from kgxp.model.scenario import Scenario

__all__ = [
    "MAX_DRAWS",
    "LotteryOdds",
    "OddsShare",
    "TeacherOdds",
    "draw_seeds",
    "lottery_odds",
    "wilson_interval",
]

log = get_logger(__name__)

MAX_DRAWS = 1_000_000
"""The most draws :func:`lottery_odds` runs. A million already pins every probability
to ±0.001 (95%) and takes about half an hour on the example county (2 s per 1,000
draws, docs/benchmarks.md); a larger count is a typo, refused before a seed is drawn
rather than hashed into a list for hours."""

_DIGITS = 6  # probabilities and bounds in the JSON: stable text, finer than any county needs
_STATUS_NAMES = frozenset(status.value for status in STATUSES)
_INVALID = "invalid lottery odds"  # what a document that disagrees with itself is


class OddsShare(FrozenModel):
    """How often one value (a status, or a post) came out of the draws."""

    value: str | None = Field(description="a status, or a post id (None: no post)")
    draws: int = Field(ge=0, description="draws that gave this value")
    probability: float = Field(ge=0, le=1, description="draws / all draws")
    low: float = Field(ge=0, le=1, description="lower bound of the Wilson score interval")
    high: float = Field(ge=0, le=1, description="upper bound of the Wilson score interval")


class TeacherOdds(FrozenModel):
    """One teacher's outcomes over the draws: statuses and posts, most frequent first.

    Read back from a file, the shares must agree (every figure derives from the draw
    counts): statuses and posts each count every draw once, each value once, none with
    no draws, most frequent first (then by value, no post first); ``placed`` counts the
    draws with a post; a probability is its draws over all the teacher's draws.
    """

    teacher: Id
    placed: OddsShare = Field(description="draws in which the teacher got a post (value 'post')")
    statuses: tuple[OddsShare, ...] = Field(min_length=1)
    posts: tuple[OddsShare, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _shares_agree(self) -> TeacherOdds:
        total = _draws_counted(self)
        counted = sum(share.draws for share in self.posts)
        if counted != total:
            raise ValueError(f"its statuses count {total} draws but its posts {counted}")
        for name, shares in (("statuses", self.statuses), ("posts", self.posts)):
            values = [share.value for share in shares]
            if len(set(values)) < len(values):
                twice = next(v for v in values if values.count(v) > 1)
                raise ValueError(f"{name} give {twice!r} twice")
            if any(share.draws == 0 for share in shares):
                raise ValueError(f"{name} list a value that came out in no draws")
            keys = [_share_order(share.draws, share.value) for share in shares]
            if keys != sorted(keys):
                raise ValueError(f"{name} are not most frequent first (then by value)")
        unknown = [s.value for s in self.statuses if s.value not in _STATUS_NAMES]
        if unknown:
            raise ValueError(f"unknown status {unknown[0]!r} (one of {sorted(_STATUS_NAMES)})")
        with_post = sum(share.draws for share in self.posts if share.value is not None)
        if self.placed.value != "post" or self.placed.draws != with_post:
            raise ValueError(
                f"placed must be the {with_post} draws with a post (value 'post'), "
                f"got {self.placed.draws} ({self.placed.value!r})"
            )
        for share in (self.placed, *self.statuses, *self.posts):
            if share.probability != round(share.draws / total, _DIGITS):
                raise ValueError(
                    f"the probability of {share.value!r} is not its {share.draws} draws of {total}"
                )
        return self

    @property
    def post_by_draw(self) -> bool:
        """The draw decides the teacher's post (or whether they get one)."""
        return len(self.posts) > 1

    @property
    def status_by_draw(self) -> bool:
        """The draw decides the teacher's status: the round that places them, or waiting."""
        return len(self.statuses) > 1

    @property
    def placement_by_draw(self) -> bool:
        """The draw decides whether the teacher gets a post at all."""
        without = any(share.value is None for share in self.posts)
        return without and len(self.posts) > 1


class LotteryOdds(ReadableDocument):
    """Per teacher (id order), the odds of each status and post over ``draws`` lottery seeds."""

    document_name: ClassVar[str] = "lottery odds"

    scenario_digest: str
    policy: Policy
    seed: int = Field(ge=0, description="the seed every draw's seed derives from (draw_seeds)")
    draws: int = Field(ge=1)
    confidence: float = Field(gt=0, lt=1, description="level of the Wilson intervals")
    teachers: tuple[TeacherOdds, ...]

    @model_validator(mode="after")
    def _teachers_agree(self) -> LotteryOdds:
        """Each teacher once, in id order, over all the draws, with the Wilson intervals of
        the document's confidence: what :meth:`from_json` refuses a file for."""
        problems: list[Problem] = []
        previous: str | None = None
        # Every share's total is the document's draws: at most draws + 1 intervals, each
        # computed once (10,000 teachers: 30,000 shares, a few hundred intervals).
        intervals: dict[int, tuple[float, float]] = {}
        for k, odds in enumerate(self.teachers):
            where = f"teachers[{k}]"
            if previous is not None and odds.teacher <= previous:
                message = (
                    f"teachers must be in id order, each once ({odds.teacher} after {previous})"
                )
                problems.append(Problem(where, "teacher", message, record_id=odds.teacher))
            previous = odds.teacher
            total = _draws_counted(odds)
            if total != self.draws:
                message = f"its shares count {total} draws, the document {self.draws} draws"
                problems.append(Problem(where, "statuses", message, record_id=odds.teacher))
                continue
            shares = [("placed", odds.placed)]
            shares += [("statuses", share) for share in odds.statuses]
            shares += [("posts", share) for share in odds.posts]
            for field, share in shares:
                interval = intervals.get(share.draws)
                if interval is None:
                    interval = wilson_interval(share.draws, total, self.confidence)
                    intervals[share.draws] = interval
                if (share.low, share.high) != interval:
                    message = (
                        f"the interval of {share.value!r} is not the Wilson interval of "
                        f"{share.draws} draws of {total} at {self.confidence}"
                    )
                    problems.append(Problem(where, field, message, record_id=odds.teacher))
                    break
        if problems:
            raise ScenarioError(problems, summary=_INVALID)
        return self

    def teacher(self, teacher_id: str) -> TeacherOdds:
        """One teacher's odds (``KeyError`` if unknown)."""
        for odds in self.teachers:
            if odds.teacher == teacher_id:
                return odds
        raise KeyError(teacher_id)

    def post_decided(self) -> tuple[str, ...]:
        """Teachers whose post (or whether they get one) differs between draws."""
        return tuple(t.teacher for t in self.teachers if t.post_by_draw)

    def status_decided(self) -> tuple[str, ...]:
        """Teachers whose status (the round that places them, or waiting) differs between draws."""
        return tuple(t.teacher for t in self.teachers if t.status_by_draw)

    def placement_decided(self) -> tuple[str, ...]:
        """Teachers who get a post under some draws and none under others."""
        return tuple(t.teacher for t in self.teachers if t.placement_by_draw)

    def summary(self) -> dict[str, int]:
        """Teachers, draws, and how many teachers' post / status / placement the draw decides."""
        return {
            "teachers": len(self.teachers),
            "draws": self.draws,
            "post_decided": len(self.post_decided()),
            "status_decided": len(self.status_decided()),
            "placement_decided": len(self.placement_decided()),
        }

    def _repr_html_(self) -> str | None:
        """Jupyter's rich display: what the draw decides, teacher by teacher."""
        return html_of(self)  # drawn by kgxp.views.html, registered there


def draw_seeds(seed: int, draws: int) -> list[int]:
    """The lottery seed of each draw: 63 bits of SHA-256 of ``seed`` and the draw's number.

    Independent of each other and of how the draws are split among workers:

    >>> draw_seeds(0, 3) == draw_seeds(0, 5)[:3]
    True
    """
    seed = seed_argument(seed)
    count = whole_argument(draws, "draws", minimum=0, maximum=MAX_DRAWS)
    prefix = f"kgxp-lottery-odds:{seed}:"
    return [
        int.from_bytes(hashlib.sha256(f"{prefix}{k}".encode()).digest()[:8], "big") >> 1
        for k in range(count)
    ]


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (stays inside [0, 1], sound at 0 and ``trials``).

    >>> wilson_interval(0, 60)
    (0.0, 0.060172)
    >>> wilson_interval(30, 60)
    (0.37735, 0.62265)
    """
    trials = whole_argument(trials, "trials")
    successes = whole_argument(
        successes, "successes", minimum=0, maximum=trials, maximum_is="trials"
    )
    confidence = fraction_argument(confidence, "confidence")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials)) / (1 + z2n)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return round(low, _DIGITS), round(high, _DIGITS)


@in_kgxp_decimal_context
def lottery_odds(
    scenario: Scenario,
    policy: Policy | None = None,
    *,
    draws: int = 100,
    seed: int | None = None,
    confidence: float = 0.95,
    executor: Executor = None,
    chunks: int | None = None,
    progress: Progress = False,
) -> LotteryOdds:
    """Each teacher's odds of each status and post over ``draws`` lottery seeds.

    ``seed`` (default: ``policy.lottery_seed``) derives every draw's seed
    (:func:`draw_seeds`); ``confidence`` sets the Wilson intervals. ``executor`` runs
    the draws: ``None`` local processes, ``"serial"`` this process, a
    ``concurrent.futures.Executor``, or a ``distributed.Client`` (``pip install
    'kgxp[distributed]'``); ``chunks`` is how many tasks the draws are split into
    (default: 8, or as many as the executor runs at once if more — a process per core,
    a pool's workers, a cluster's worker threads —; never more than ``draws``). The
    result does not depend on either.
    ``progress`` counts the draws as each task's come back, in the draws' order
    (:mod:`kgxp._internal.progress`: ``True`` a bar, or a callback ``(done, total,
    label)`` with ``label`` such as ``"draws 1–125 of 1000"``).

    ``draws`` and ``chunks`` are whole numbers from 1 to :data:`MAX_DRAWS`, ``seed`` a
    whole number ≥ 0: anything else raises ``ValueError`` before any draw
    (:mod:`kgxp.model.arguments`).
    """
    scenario = scenario_argument(scenario)
    policy = policy_argument(policy)
    seed = policy.lottery_seed if seed is None else seed_argument(seed)
    draws = whole_argument(draws, "draws", maximum=MAX_DRAWS)
    confidence = fraction_argument(confidence, "confidence")
    # By default at least as many tasks as the executor runs at once: no worker idle.
    chunks = (
        max(_CHUNKS, concurrency(executor))
        if chunks is None
        else whole_argument(chunks, "chunks", maximum=MAX_DRAWS)
    )
    seeds = draw_seeds(seed, draws)
    # Exactly min(draws, chunks) tasks, their sizes one apart (the larger first): a
    # split by ceil(draws / chunks) gave 40 draws in 10 tasks of 4 where 12 were asked.
    parts = min(draws, chunks)
    size, extra = divmod(draws, parts)  # the first ``extra`` tasks take one draw more
    starts = list(accumulate([size + (k < extra) for k in range(parts)], initial=0))
    batches = [seeds[start:end] for start, end in pairwise(starts)]

    def named(k: int) -> str:
        return _draw_range(starts[k], len(batches[k]), draws)

    with Tracker.start(progress, draws, "lottery odds", unit="draw") as tracker:
        replay = Replay(scenario, policy)  # validates first: nothing is sent for a bad scenario

        def done(k: int) -> None:
            tracker.advance(named(k), len(batches[k]))

        # In this process the draws use the replay made here; elsewhere each worker makes
        # its own from the county and policy, which are sent once, not with every batch.
        task, shared = (
            (_tally, replay) if executor == "serial" else (_draw_batch, (scenario, policy))
        )
        tallies = run_tasks(
            task,
            [(batch,) for batch in batches],
            executor,
            shared=shared,
            done=done,
            task_name=named,
        )
    counts: Counter[tuple[int, tuple[int, int]]] = Counter()
    for tally in tallies:
        counts.update(tally)
    log.info("lottery.odds", teachers=len(replay.teachers), draws=draws, tasks=len(batches))
    return _document(scenario, policy, seed, draws, confidence, replay, counts)


def _draws_counted(odds: TeacherOdds) -> int:
    """The draws a teacher's statuses count (each draw once)."""
    return sum(share.draws for share in odds.statuses)


def _share_order(draws: int, value: str | None) -> tuple[int, str]:
    """A share's place in its list: most frequent first, then by value (no post first),
    so a document is the same text every run (I12) and a file out of this order is not
    one kgxp wrote."""
    return (-draws, value or "")


def _draw_range(start: int, count: int, draws: int) -> str:
    """A batch of draws as a SweepError names it: ``"draws 1–125 of 1000"``."""
    if count == 1:
        return f"draw {start + 1} of {draws}"
    return f"draws {start + 1}–{start + count} of {draws}"


def _tally(replay: Replay, seeds: Sequence[int]) -> Counter[tuple[int, tuple[int, int]]]:
    """(teacher row, (status index, post index)) -> draws, over ``seeds``."""
    counts: Counter[tuple[int, tuple[int, int]]] = Counter()
    if not seeds:
        return counts
    # The collector paused as for run_round (kgxp._internal.gc_pause): draws make no
    # cycles, and every collection would traverse the whole county again.
    with collector_paused():
        # Most teachers come out the same in every draw: count, per draw, only where it
        # differs from the first, and give the first's outcome the remaining draws — a
        # comparison per teacher instead of hashing every (teacher, outcome) pair.
        first = replay.draw(seeds[0])
        differs: Counter[int] = Counter()
        for draw_seed in seeds[1:]:
            draw = replay.draw(draw_seed)
            changed = [row for row, (a, b) in enumerate(zip(draw, first, strict=True)) if a != b]
            if changed:
                differs.update(changed)
                counts.update([(row, draw[row]) for row in changed])
        total = len(seeds)
        counts.update(
            {
                (row, outcome): total - differs[row]
                for row, outcome in enumerate(first)
                if differs[row] < total
            }
        )
    return counts


_CHUNKS = 8  # the fewest tasks the draws go out in by default (progress steps, too)


# One replay per worker process, for the county and policy it was last sent (the very
# object, held here, so its identity cannot pass to another): a worker that runs several
# chunks of one sweep prepares the county once.
_WORKER_REPLAY: list[tuple[tuple[Scenario, Policy], Replay]] = []


def _draw_batch(
    shared: tuple[Scenario, Policy], seeds: Sequence[int]
) -> Counter[tuple[int, tuple[int, int]]]:
    if _WORKER_REPLAY and _WORKER_REPLAY[0][0] is shared:
        replay = _WORKER_REPLAY[0][1]
    else:
        replay = Replay(*shared)
        _WORKER_REPLAY[:] = [(shared, replay)]
    return _tally(replay, seeds)


def _share(value: str | None, draws: int, total: int, confidence: float) -> OddsShare:
    low, high = wilson_interval(draws, total, confidence)
    return OddsShare(
        value=value,
        draws=draws,
        probability=round(draws / total, _DIGITS),
        low=low,
        high=high,
    )


def _document(
    scenario: Scenario,
    policy: Policy,
    seed: int,
    draws: int,
    confidence: float,
    replay: Replay,
    counts: Counter[tuple[int, tuple[int, int]]],
) -> LotteryOdds:
    statuses: list[Counter[int]] = [Counter() for _ in replay.teachers]
    posts: list[Counter[int]] = [Counter() for _ in replay.teachers]
    for (row, (status, post)), n in counts.items():
        statuses[row][status] += n
        posts[row][post] += n
    post_ids = replay.post_ids
    # Equal shares are one (frozen) instance, each made once: most teachers' fate is the
    # same in every draw (a post won 1,000 times in 1,000), and every share's interval
    # is one of at most draws + 1 (a tenth of the document's time at 10,000 teachers).
    made: dict[tuple[str | None, int], OddsShare] = {}

    def share(value: str | None, n: int) -> OddsShare:
        found = made.get((value, n))
        if found is None:
            found = made[value, n] = _share(value, n, draws, confidence)
        return found

    def ordered(tally: Counter[int], name: list[str | None]) -> tuple[OddsShare, ...]:
        rows = sorted(tally.items(), key=lambda kv: _share_order(kv[1], name[kv[0]]))
        return tuple(share(name[k], n) for k, n in rows)

    status_names: list[str | None] = [s.value for s in STATUSES]
    post_names: list[str | None] = [*post_ids, None]  # index -1: no post
    teachers = tuple(
        TeacherOdds(
            teacher=teacher.id,
            placed=share("post", draws - posts[row].get(-1, 0)),
            statuses=ordered(statuses[row], status_names),
            posts=ordered(posts[row], post_names),
        )
        for row, teacher in enumerate(replay.teachers)
    )
    return LotteryOdds(
        scenario_digest=scenario_digest(scenario),
        policy=policy,
        seed=seed,
        draws=draws,
        confidence=confidence,
        teachers=teachers,
    )
