"""kgxp's own documents read back from their JSON: whole, or refused where they are wrong.

A result, a register, a simulation, a re-competition, a comparison or lottery odds is
written by kgxp and read back days later — by ``kgxp compare``, a notebook, another
service — from a file that may have been truncated or edited by hand. Each document's
``from_json`` reads it here:

- the text is decoded once by :func:`~kgxp.decode_json` and dropped, so that what
  pydantic's JSON path would take without a word (a key given twice: the last wins) or
  cannot read (invalid UTF-8, hostile nesting) is refused, located;
- the document is then validated from the text itself by pydantic's JSON path, exactly
  as ``model_validate_json`` reads it (a result's outcomes become the columns of an
  ``OutcomeTable``), with the garbage collector paused (no cycles; its passes took two
  thirds of reading a 100,000-teacher result: ``benchmarks/read_result.py``);
- every problem is a :class:`~kgxp.exceptions.ScenarioError` whose summary names the
  document ("invalid result") and whose problems name the record (``outcomes[12]``,
  the teacher's id) and the field — never pydantic's ``ValidationError``.
"""

from __future__ import annotations

from typing import ClassVar, Self, TypeVar

from pydantic import BaseModel, ValidationError

from kgxp._internal.frozen import FrozenModel
from kgxp._internal.gc_pause import collector_paused
from kgxp._internal.json_decode import decode_json, not_an_object
from kgxp.exceptions import ScenarioError

__all__ = ["ReadableDocument", "read_document"]

_Document = TypeVar("_Document", bound=BaseModel)


def read_document(
    model: type[_Document],
    text: str | bytes,
    *,
    document: str,
    id_key: str = "teacher",
) -> _Document:
    """``model`` read from its JSON ``text``, or ``ScenarioError("invalid <document>")``.

    ``document`` names it in the error (``"result"``); ``id_key`` is the key of a
    record's id in its lists (``"teacher"`` in every kgxp document that lists teachers).
    """
    from kgxp.model.validation import problems_from_validation_error  # it imports models

    summary = f"invalid {document}"
    data = decode_json(text, summary=summary)
    if not isinstance(data, dict):
        raise ScenarioError([not_an_object(data)], summary=summary)
    del data  # not alive beside the document validated from the text
    try:
        with collector_paused():
            return model.model_validate_json(text)
    except ValidationError as error:
        data = decode_json(text)  # again, only now: for the ids of the records named
        problems = problems_from_validation_error(error, data, document=document, id_key=id_key)
        raise ScenarioError(problems, summary=summary) from None


class ReadableDocument(FrozenModel):
    """A document kgxp writes and reads back: :meth:`from_json` (internal base class).

    ``document_name`` names it in errors ("invalid result"); the document's lists of
    records key each record's id as ``teacher``.
    """

    document_name: ClassVar[str]

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """The document read back from its JSON (what kgxp wrote), equal to it.

        Every problem is a :class:`~kgxp.exceptions.ScenarioError` ("invalid
        <document>") locating it — the record (``outcomes[12]``, the teacher's id) and
        the field — a key given twice in one object included, which pydantic's JSON path
        would take as its last value without a word (:mod:`kgxp.model.document_json`).
        """
        return read_document(cls, text, document=cls.document_name)
