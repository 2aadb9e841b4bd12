"""The waiting package's unvalidated constructor gives instances equal to validated ones."""

from __future__ import annotations

import pytest

from kgxp.model.semester import Semester
from kgxp.waiting._rows import constructor
from kgxp.waiting.simulation import SemesterRecord
from kgxp.waiting.state_machine import WaitingEvent, WaitingState


def test_constructed_record_equals_the_validated_one_and_copies_apart() -> None:
    values = {
        "teacher": "T1",
        "semester": Semester.parse("2026-autumn"),
        "state": WaitingState.WAITING,
        "streak": 1,
        "flagged": False,
        "post": None,
        "school": "S1",
        "event": WaitingEvent.ROUND_NOT_PLACED,
    }
    validated = SemesterRecord(**values)
    built = constructor(SemesterRecord)(*values.values())
    assert built == validated
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_fields_set == validated.model_fields_set
    # A copy with an update does not change the fields-set the constructed instances share.
    other = constructor(SemesterRecord)(*values.values())
    changed = built.model_copy(update={"streak": 2})
    assert changed.streak == 2 and other.streak == 1 and built.streak == 1
    assert other.model_fields_set == validated.model_fields_set


def test_constructor_refuses_a_wrong_number_of_fields() -> None:
    with pytest.raises(TypeError, match="SemesterRecord takes 8 fields, got 2"):
        constructor(SemesterRecord)("T1", Semester.parse("2026-autumn"))
