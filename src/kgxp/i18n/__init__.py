"""One message catalogue for every text a teacher or clerk reads: Chinese first, English too.

Publications, notices and reports say things to people; the words come from
gettext catalogues shipped in ``kgxp/i18n/locales/<locale>/LC_MESSAGES/kgxp.mo``
(compiled from the ``.po`` files next to them with Babel, see
``python -m kgxp.i18n.build``), never from strings in the code that builds them.
The message ids are the English sentences, with ``{name}`` fields filled by
:meth:`str.format` after translation; ``zh_CN`` is the default locale and ``en``
the second. A message id only becomes a published text through :func:`texts`
(or is marked with :func:`N_` where it is kept in a table), so that the build
extracts every one of them and a test fails when a locale lacks a translation.

Rule ids (R1…) and invariant ids (I1…) never appear in these sentences: they live
in the audit columns of ``outcomes.csv`` and in the docs.

>>> tr = texts("zh_CN")
>>> tr("Waiting list")
'待岗人员名单'
>>> texts("en")("{count} teachers", count=3)
'3 teachers'
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from typing import Final, Literal, Protocol, get_args

from kgxp.exceptions import KgxpError

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "N_",
    "Locale",
    "Texts",
    "UnknownLocaleError",
    "texts",
]

Locale = Literal["zh_CN", "en"]
"""The locales kgxp publishes in: simplified Chinese (default) and English."""

LOCALES: Final[tuple[Locale, ...]] = get_args(Locale)
DEFAULT_LOCALE: Final[Locale] = "zh_CN"
DOMAIN: Final = "kgxp"
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locales"


class UnknownLocaleError(KgxpError, ValueError):
    """A locale kgxp has no catalogue for."""


class Texts(Protocol):
    """Translate a message id and fill its ``{fields}``."""

    def __call__(self, message: str, /, **fields: object) -> str: ...


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue where it is stored, translated later by :func:`texts`."""
    return message


def texts(locale: str = DEFAULT_LOCALE) -> Texts:
    """The translator for ``locale`` (``zh_CN`` or ``en``); unknown locales are an error.

    >>> texts("fr")
    Traceback (most recent call last):
    ...
    kgxp.i18n.UnknownLocaleError: no catalogue for locale 'fr'; use zh_CN or en
    """
    catalogue = _catalogue(locale)

    def translate(message: str, /, **fields: object) -> str:
        text = catalogue.gettext(message)
        return text.format(**fields) if fields else text

    return translate


@cache
def _catalogue(locale: str) -> gettext.NullTranslations:
    if locale not in LOCALES:
        raise UnknownLocaleError(f"no catalogue for locale {locale!r}; use {' or '.join(LOCALES)}")
    try:
        return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[locale])
    except OSError as error:  # a broken install: the compiled catalogue is missing
        raise UnknownLocaleError(
            f"the compiled catalogue for {locale} is missing ({error}); reinstall kgxp"
        ) from None
