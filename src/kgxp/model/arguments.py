"""The arguments of kgxp's entry points, checked before any work is done.

kgxp's public functions (``run_round``, ``run_rounds``, ``lottery_odds``, ``simulate``,
``verify``, the register's, the views' and the writers') are called from services and
notebooks with values that come from a request, a form or a cell. Each checks its
documents (a scenario, a result, a policy…), seeds and counts here first
(tests/test_entry_arguments.py sweeps ``kgxp.__all__`` for it). A value of the wrong
kind must fail at once, with kgxp's own message naming the argument — not as a foreign ``AttributeError`` deep inside the engine, not as a
``ValidationError`` of the result after a whole round has run, and never silently
(``policy={}`` used to mean the default policy; ``retirement_vacancies="no"`` meant
yes). Wrong kinds raise ``TypeError``, wrong values ``ValueError``, as Python's own
functions do; neither is a :class:`~kgxp.exceptions.KgxpError`, which is kept for
what is wrong with a county's data — and with a pair of documents: a result given with a
scenario it was not run on is a :class:`~kgxp.exceptions.ScenarioMismatchError`
(:func:`result_of`).

>>> seed_argument(7)
7
>>> seed_argument(-1)
Traceback (most recent call last):
ValueError: seed must be a whole number ≥ 0, got -1
>>> policy_argument({})
Traceback (most recent call last):
TypeError: policy must be a kgxp.Policy (Policy(), kgxp.preset(name) or kgxp.load_policy(path)), got dict
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from decimal import Decimal
from typing import SupportsIndex, TypeVar, cast

from kgxp.exceptions import Problem, ScenarioMismatchError
from kgxp.model.digest import scenario_digest
from kgxp.model.policy import Policy
from kgxp.model.result import RoundResult
from kgxp.model.scenario import Scenario

__all__ = [
    "fraction_argument",
    "instance_argument",
    "mapping_argument",
    "policy_argument",
    "result_argument",
    "result_of",
    "results_of",
    "rows_argument",
    "scenario_argument",
    "scenario_mismatch",
    "seed_argument",
    "switch_argument",
    "whole_argument",
    "whole_number",
]

_Document = TypeVar("_Document")


def scenario_argument(value: object, name: str = "scenario") -> Scenario:
    """``value`` if it is a :class:`~kgxp.Scenario`, else ``TypeError``."""
    return instance_argument(
        value, Scenario, name, "kgxp.load_scenario(path) or kgxp.parse_scenario(data)"
    )


def policy_argument(value: object, name: str = "policy", *, optional: bool = True) -> Policy:
    """``value`` if it is a :class:`~kgxp.Policy`; ``Policy()`` for ``None`` where the
    argument is ``optional``; else ``TypeError``.

    A plain ``dict`` of settings is refused, even an empty one, rather than read as the
    default policy: the caller meant *some* policy, and a round run under another one
    is a wrong placement.
    """
    if value is None and optional:
        return Policy()
    return instance_argument(
        value, Policy, name, "Policy(), kgxp.preset(name) or kgxp.load_policy(path)"
    )


def result_argument(value: object, name: str = "result") -> RoundResult:
    """``value`` if it is a :class:`~kgxp.RoundResult`, else ``TypeError``."""
    return instance_argument(
        value, RoundResult, name, "kgxp.run_round(...) or RoundResult.from_json(text)"
    )


def result_of(scenario: Scenario, result: object, name: str = "result") -> RoundResult:
    """``result`` if it is a :class:`~kgxp.RoundResult` of ``scenario`` (its digest, I12);
    ``TypeError`` if it is no result, :class:`~kgxp.exceptions.ScenarioMismatchError` if
    it was run on another scenario. ``scenario`` is already checked."""
    return results_of({name: (scenario, result)})[name]


def results_of(pairs: Mapping[str, tuple[Scenario, object]]) -> dict[str, RoundResult]:
    """:func:`result_of` for each pair (argument name -> (scenario, result)), every
    mismatch in one error."""
    checked = {name: result_argument(value, name) for name, (_, value) in pairs.items()}
    problems = [
        problem
        for name, result in checked.items()
        if (
            problem := scenario_mismatch(
                pairs[name][0],
                result.scenario_digest,
                name,
                "the round was run on another scenario",
                "give the scenario it ran on, or run the round again on this one",
            )
        )
        is not None
    ]
    if problems:
        raise ScenarioMismatchError(problems)
    return checked


def scenario_mismatch(
    scenario: Scenario, stated: str, name: str, said: str, remedy: str
) -> Problem | None:
    """The problem of a document (argument ``name``) whose scenario digest is ``stated``, if
    that is not ``scenario``'s: ``said`` says what differs, ``remedy`` what to do."""
    expected = scenario_digest(scenario)
    if stated == expected:
        return None
    return Problem(
        name,
        "scenario_digest",
        f"{said} (its digest {stated[:12]}…, this scenario's {expected[:12]}…): {remedy}",
        rule="I12",
        code="scenario_mismatch",
    )


def seed_argument(value: object, name: str = "seed") -> int:
    """A lottery seed: a whole number ≥ 0, as :attr:`Policy.lottery_seed` requires (I12).

    A numpy integer is read as the plain ``int`` it holds; ``True``, ``7.0`` and ``"7"``
    are refused: a seed is written into the published result and must read back as
    the number the caller meant.
    """
    return whole_argument(value, name, minimum=0)


def whole_argument(
    value: object,
    name: str,
    *,
    minimum: int = 1,
    maximum: int | None = None,
    maximum_is: str | None = None,
) -> int:
    """A whole number from ``minimum`` to ``maximum`` (draws, chunks, semesters, seats…),
    else ``ValueError``; ``maximum_is`` names what the upper bound is, for the message.

    >>> whole_argument(0, "draws", maximum=1_000_000)
    Traceback (most recent call last):
    ValueError: draws must be a positive whole number, at most 1,000,000, got 0
    >>> whole_argument(5, "successes", minimum=0, maximum=3, maximum_is="trials")
    Traceback (most recent call last):
    ValueError: successes must be a whole number from 0 to trials (3), got 5
    """
    whole = whole_number(value)
    if whole is not None and whole >= minimum and (maximum is None or whole <= maximum):
        return whole
    if maximum is None:
        wanted = "a positive whole number" if minimum == 1 else f"a whole number ≥ {minimum}"
    elif minimum == 1 and maximum_is is None:
        wanted = f"a positive whole number, at most {maximum:,}"
    else:
        upper = f"{maximum:,}" if maximum_is is None else f"{maximum_is} ({maximum})"
        wanted = f"a whole number from {minimum} to {upper}"
    raise ValueError(f"{name} must be {wanted}, got {value!r}")


def rows_argument(value: object, name: str = "rows") -> int:
    """How many rows a view lists: a whole number ≥ 0, else ``ValueError``.

    Views cut their lists with ``[:rows]``: a negative count would drop the *last*
    rows instead and still say "… and N more" with a wrong N — a teacher left out of
    a notice without a word.

    >>> rows_argument(0)
    0
    >>> rows_argument(-1)
    Traceback (most recent call last):
    ValueError: rows must be a whole number ≥ 0, got -1
    """
    return whole_argument(value, name, minimum=0)


def fraction_argument(value: object, name: str) -> float:
    """A number strictly between 0 and 1 (a confidence level), else ``ValueError``."""
    if isinstance(value, Decimal):
        number = float(value) if value.is_finite() else math.nan
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        number = math.nan
    if 0 < number < 1:  # False for NaN
        return number
    raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")


def switch_argument(value: object, name: str) -> bool:
    """``True`` or ``False`` only: ``"no"`` is a true value to Python, and would be read as yes."""
    if isinstance(value, bool):
        return value
    raise TypeError(f"{name} must be True or False, got {value!r}")


def mapping_argument(
    value: object, name: str, *, optional: bool = False
) -> Mapping[object, object]:
    """``value`` if it is a mapping (``{}`` for ``None`` where the argument is
    ``optional``), else ``TypeError``."""
    if value is None and optional:
        return {}
    if isinstance(value, Mapping):
        return value
    raise TypeError(f"{name} must be a mapping (a dict), got {_kind(value)}")


def whole_number(value: object) -> int | None:
    """The plain ``int`` of an integer (``int`` or numpy's, by ``__index__``); else ``None``.

    ``True``, ``2.0`` and ``"2"`` are not whole numbers here:

    >>> whole_number(2), whole_number(True), whole_number(2.0), whole_number("2")
    (2, None, None, None)
    """
    if isinstance(value, bool):
        return None
    try:
        return operator.index(cast(SupportsIndex, value))
    except TypeError:  # no __index__ (a float, a str), or numpy's bool, which refuses it
        return None


def instance_argument(value: object, kind: type[_Document], name: str, made_by: str) -> _Document:
    """``value`` if it is a ``kind`` of kgxp's; else ``TypeError`` saying what makes one.

    For the documents of the layers above this one (a ``Register``, a ``Comparison``, a
    ``Simulation``…), which the checks here cannot import.

    >>> instance_argument({}, Scenario, "scenario", "kgxp.parse_scenario(data)")
    Traceback (most recent call last):
    TypeError: scenario must be a kgxp.Scenario (kgxp.parse_scenario(data)), got dict
    """
    if isinstance(value, kind):
        return value
    raise TypeError(f"{name} must be a kgxp.{kind.__name__} ({made_by}), got {_kind(value)}")


def _kind(value: object) -> str:
    return "None" if value is None else type(value).__name__
