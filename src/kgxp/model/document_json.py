"""kgxp's own documents read back from their JSON: whole, or refused where they are wrong.

A result, a register, a simulation, a re-competition, a comparison or lottery odds is
written by kgxp and read back days later — by ``kgxp compare``, a notebook, another
service — from a file that may have been truncated or edited by hand. Each document's
``from_json`` reads it here:

- the text is decoded once by :func:`~kgxp.decode_json`, so that what pydantic's JSON
  path would take without a word (a key given twice: the last wins) or cannot read
  (invalid UTF-8, hostile nesting) is refused, located;
- the document is then validated from that decoded data, reading what
  ``model_validate_json`` would read from the text (tests/test_document_reading.py
  compares them: a result's outcomes become the columns of an ``OutcomeTable`` either
  way), with the garbage collector paused (no cycles; its passes took two thirds of
  reading a 100,000-teacher result: ``benchmarks/read_result.py``);
- every problem is a :class:`~kgxp.exceptions.ScenarioError` whose summary names the
  document ("invalid result") and whose problems name the record (``outcomes[12]``,
  the teacher's id) and the field — never pydantic's ``ValidationError``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import ClassVar, Self, TypeVar

from pydantic import BaseModel, ValidationError

from kgxp._internal.frozen import FrozenModel
from kgxp._internal.gc_pause import collector_paused
from kgxp._internal.json_decode import decode_json, not_an_object
from kgxp.exceptions import ScenarioError

__all__ = ["DECODED_DOCUMENT", "ReadableDocument", "read_decoded_document", "read_document"]

DECODED_DOCUMENT = MappingProxyType({"kgxp": "a document decoded from its JSON"})
"""The validation context of a document read by :func:`read_document` (found by identity):
its values come from JSON, as pydantic's JSON path would read them."""

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
    return read_decoded_document(
        model, decode_json(text, summary=f"invalid {document}"), document=document, id_key=id_key
    )


def read_decoded_document(
    model: type[_Document],
    data: object,
    *,
    document: str,
    id_key: str = "teacher",
) -> _Document:
    """:func:`read_document` of the ``data`` that :func:`~kgxp.decode_json` decoded from
    the text (so decoded once, where the caller had to decode it to tell which document
    it is: ``kgxp compare``)."""
    from kgxp.model.validation import problems_from_validation_error  # it imports models

    summary = f"invalid {document}"
    if not isinstance(data, dict):
        raise ScenarioError([not_an_object(data)], summary=summary)
    try:
        # Validated from the data just decoded, not from the text again: a result of
        # 100,000 teachers reads in 0.96-1.13 s against 1.36-1.76 s, and peaks 50 MB
        # lower, since the decoder shares each repeated string (issue 19,
        # benchmarks/read_result.py). The context tells the outcomes they come from a
        # document, to become the same table pydantic's JSON path made.
        with collector_paused():
            return model.model_validate(data, context=DECODED_DOCUMENT)
    except ValidationError as error:
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
