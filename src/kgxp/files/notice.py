"""What makes a list postable: who issues it, when, for how long, and where to object.

A 公示 is posted on a date by an issuing body (落款) and stays up for a number of
working days (公示期, typically 5–7); objections (复核/申诉) go to a named office
within that period. :class:`PublicityNotice` holds these facts — they are not
part of the scenario (they do not change any placement), so the CLI takes them as
options or as a JSON file. Working days follow China's public holidays and
make-up workdays (调休) through the ``chinesecalendar`` package; a year it does
not know yet is a :class:`~kgxp.exceptions.CalendarYearError`, never a guess.

>>> from datetime import date
>>> publicity_period(date(2026, 9, 28), 5)   # National Day holiday in between
(datetime.date(2026, 9, 28), datetime.date(2026, 10, 9))
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from pydantic import Field

from kgxp._internal.frozen import FrozenModel
from kgxp.exceptions import CalendarYearError

__all__ = ["PublicityNotice", "is_working_day", "publicity_period"]


class PublicityNotice(FrozenModel):
    """The facts a posted list carries besides its rows (all optional)."""

    issuer: str | None = Field(
        default=None,
        max_length=100,
        description="issuing body for the 落款; default: the county's education bureau",
    )
    published_on: date | None = Field(
        default=None, description="publication date; none: left blank for the clerk to fill"
    )
    working_days: int = Field(
        default=5, ge=1, le=30, description="length of the 公示期 in working days"
    )
    contact: str | None = Field(
        default=None,
        max_length=300,
        description="where to raise an objection (复核/申诉): office, telephone, address",
    )
    round_title: str | None = Field(
        default=None,
        max_length=100,
        description="the round's name in titles; default: '<year>年县管校聘'",
    )


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day in China (holidays off, make-up workdays on)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # the package's way of saying "no data for that year"
        raise CalendarYearError(day.year, _known_years()) from None


def publicity_period(start: date, working_days: int) -> tuple[date, date]:
    """First and last day of a 公示期 of ``working_days`` working days from ``start``.

    A ``start`` that is not a working day moves to the next working day; the last
    day is the ``working_days``-th working day counted from the first.
    """
    if working_days < 1:
        raise ValueError("a 公示期 lasts at least one working day")
    day = start
    while not is_working_day(day):
        day += timedelta(days=1)
    first, counted = day, 1
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return first, day


def _known_years() -> str:
    years = sorted({d.year for d in chinese_calendar.holidays})
    return f"{years[0]}–{years[-1]}" if years else "no year"
