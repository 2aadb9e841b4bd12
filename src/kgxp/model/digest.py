"""The scenario digest: a fingerprint of the input that every result carries (I12).

A property of the scenario, not of any file it came from: records are sorted by id
before hashing, so the order of input records does not change it.
"""

from __future__ import annotations

import hashlib
from operator import attrgetter

from pydantic import TypeAdapter

from kgxp._internal.memo import remembered
from kgxp.model.scenario import Scenario, Teacher

__all__ = ["scenario_digest"]


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: records sorted by id, so input order is moot."""
    # Once per scenario (run_round and verify both need it); the key guards the one
    # mutable container inside a scenario (see kgxp._internal.memo).
    levels = tuple(scenario.staffing.posts_by_level.items())
    return remembered(scenario, "digest", levels, lambda: _canonical_digest(scenario))


def _canonical_digest(scenario: Scenario) -> str:
    by_id = attrgetter("id")
    schools, posts, teachers = (
        tuple(sorted(getattr(scenario, name), key=by_id))
        for name in ("schools", "posts", "teachers")
    )
    # The canonical JSON is hashed as it is serialised, a few thousand teachers at a
    # time, rather than as one buffer of the whole county (~630 bytes a teacher: 190 MB
    # for 300,000, grown by copying and paged in fresh on every run). Same bytes: the
    # scenario without its teachers, whose last field is ``"teachers":[]``, with the
    # teachers' JSON spliced in between the brackets.
    rest = scenario.model_copy(update={"schools": schools, "posts": posts, "teachers": ()})
    head = rest.__pydantic_serializer__.to_json(rest)
    if not head.endswith(_NO_TEACHERS):  # tests/test_speed_internals.py keeps it last
        raise RuntimeError("the digest needs `teachers` to stay Scenario's last field")
    digest = hashlib.sha256(head[: -len(_NO_TEACHERS)] + b'"teachers":[')
    separator = b""
    for start in range(0, len(teachers), _DIGEST_BATCH):
        batch = _TEACHERS_JSON(teachers[start : start + _DIGEST_BATCH])  # b"[{...},{...}]"
        digest.update(separator)
        digest.update(memoryview(batch)[1:-1])
        separator = b","
    digest.update(b"]}")
    return digest.hexdigest()


_NO_TEACHERS = b'"teachers":[]}'
_DIGEST_BATCH = 4096
_TEACHERS_JSON = TypeAdapter(tuple[Teacher, ...]).dump_json
