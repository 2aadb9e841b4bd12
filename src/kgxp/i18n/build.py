"""Keep the catalogues in step with the code: extract, update the ``.po`` files, compile.

Run ``python -m kgxp.i18n.build`` after adding or changing a published text
(needs Babel, part of ``kgxp[dev]``). It extracts every ``tr("…")`` and
``N_("…")`` of the package, adds new message ids to each locale's ``.po``
(English: the id itself; Chinese: empty, to be translated), drops ids no longer
used, and compiles the ``.mo`` files that kgxp reads at run time. The tests call
:func:`problems`: a message without a translation, a translation whose
``{fields}`` differ from its id's, or a ``.mo`` that is not the compiled ``.po``
fails the suite.
"""

from __future__ import annotations

import io
import string
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kgxp.i18n import DOMAIN, LOCALE_DIR, LOCALES

__all__ = ["compiled", "extracted", "problems", "update"]

PACKAGE = Path(__file__).resolve().parents[1]
KEYWORDS = {"tr": None, "N_": None, "_say": None}


def extracted() -> dict[str, list[str]]:
    """Every message id of the package → where it is used (``file:line``).

    Marked by ``tr(…)`` (a :func:`~kgxp.i18n.texts` translator), ``N_(…)`` or the
    plots' ``_say(…)``.
    """
    from babel.messages.extract import extract_from_dir

    found: dict[str, list[str]] = {}
    for file, line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()
    ):
        if isinstance(message, str):
            found.setdefault(message, []).append(f"{file}:{line}")
    return dict(sorted(found.items()))


def _po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(locale: str) -> Any:
    from babel.messages.pofile import read_po

    path = _po_path(locale)
    if not path.exists():
        from babel.messages.catalog import Catalog

        return Catalog(locale=locale, domain=DOMAIN)
    with path.open("rb") as file:
        return read_po(file, locale=locale, domain=DOMAIN)


def compiled(locale: str) -> bytes:
    """The ``.mo`` bytes of ``locale``'s ``.po`` as it is now."""
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, _read(locale))
    return buffer.getvalue()


def update() -> None:
    """Bring every locale's ``.po`` in line with the code and compile it."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    messages = extracted()
    for locale in LOCALES:
        old = _read(locale)
        catalog = Catalog(
            locale=locale,
            domain=DOMAIN,
            project="kgxp",
            version="",
            creation_date=_EPOCH,
            revision_date=_EPOCH,
            fuzzy=False,
        )
        for message in messages:
            known = old.get(message)
            text = known.string if known is not None and known.string else ""
            if locale == "en" and not text:
                text = message
            catalog.add(message, text)
        path = _po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as file:
            write_po(file, catalog, omit_header=False, no_location=True, width=0)
        path.with_suffix(".mo").write_bytes(compiled(locale))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def problems() -> list[str]:
    """What is wrong with the catalogues: missing or stale ids, empty or mismatched texts."""
    messages = extracted()
    found: list[str] = []
    for locale in LOCALES:
        catalog = _read(locale)
        ids = {m.id for m in catalog if m.id}
        for message in sorted(set(messages) - ids):
            found.append(f"{locale}: no entry for {message!r} ({messages[message][0]})")
        for message in sorted(ids - set(messages)):
            found.append(f"{locale}: {message!r} is no longer used")
        for entry in catalog:
            if not entry.id:
                continue
            if not entry.string:
                found.append(f"{locale}: {entry.id!r} has no translation")
            elif _fields(entry.string) != _fields(entry.id):
                found.append(f"{locale}: {entry.id!r} → {entry.string!r} changes the fields")
        mo = _po_path(locale).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(locale):
            found.append(
                f"{locale}: {mo.name} is not the compiled .po; run python -m kgxp.i18n.build"
            )
    return found


# Fixed header dates: the files change only when a message does.
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

if __name__ == "__main__":
    update()
    left = problems()
    sys.stdout.write("\n".join(left) + ("\n" if left else "catalogues up to date\n"))
    sys.exit(1 if left else 0)
