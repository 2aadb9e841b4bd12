"""A small Chinese font shipped with kgxp: the plots' own words are Chinese on any machine.

Titles, axis labels and legends come from the message catalogue (:mod:`kgxp.i18n`),
Chinese by default. Many servers have no CJK font, and matplotlib would draw the
Chinese as empty boxes; so kgxp ships ``fonts/kgxp-plot-sc.otf``, a subset of Noto
Sans CJK SC (SIL Open Font License 1.1, ``fonts/OFL.txt``) holding just the
characters of the plots' Chinese messages, and :mod:`kgxp.views.plots` draws with it
(after an installed CJK font, if there is one: matplotlib falls back glyph by
glyph). Names from a roster (schools) are not in the subset; a plot shows them by
name only where a font covers them (:func:`covers`).

After changing a plot's message or its translation, rebuild the subset from an
installed Noto Sans CJK SC (``apt-get install fonts-noto-cjk``)::

    python -m kgxp.views.plot_font /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

A test fails when a character of a plot's Chinese message is missing from it.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Final

from kgxp._internal.extras import require
from kgxp.i18n import texts

__all__ = ["FAMILY", "FONT_FILE", "covers", "label_characters", "register"]

FONT_FILE: Final = Path(__file__).resolve().parent / "fonts" / "kgxp-plot-sc.otf"
FAMILY: Final = "kgxp Plot SC"
"""The family name of the shipped subset (renamed: it is not the whole Noto Sans CJK SC)."""

# The modules whose plot labels the subset must cover (their ``_say(...)`` messages).
_PLOT_MODULES: Final = ("views/plots.py",)
# Digits, Latin letters and the punctuation the plots put around the messages.
_ALWAYS: Final = "".join(chr(c) for c in range(0x20, 0x7F)) + "→≤–—·（）：，、%"


@cache
def register() -> str:
    """Add the shipped font to matplotlib's font list (once) and return its family name."""
    font_manager = require("matplotlib.font_manager", "plot", "kgxp.views.plots")
    font_manager.fontManager.addfont(str(FONT_FILE))
    return FAMILY


@cache
def _characters() -> frozenset[str]:
    ft2font = require("matplotlib.ft2font", "plot", "kgxp.views.plots")
    return frozenset(chr(code) for code in ft2font.FT2Font(str(FONT_FILE)).get_charmap())


def covers(text: str) -> bool:
    """Whether the shipped font has a glyph for every character of ``text``."""
    return set(text) <= _characters()


def label_characters() -> set[str]:
    """Every character of the plots' messages in Chinese, and of what is put around them."""
    from kgxp.i18n.build import extracted  # Babel: part of kgxp[dev]

    tr = texts("zh_CN")
    found = set(_ALWAYS)
    for message, places in extracted().items():
        if any(
            place.replace("\\", "/").split("kgxp/", 1)[-1].startswith(_PLOT_MODULES)
            for place in places
        ):
            found |= set(tr(message))
    found.discard("{")
    found.discard("}")
    return found


def build(source: str | Path, target: Path = FONT_FILE) -> Path:
    """Write the subset of ``source`` (Noto Sans CJK SC, or its ``.ttc``) that the plots need."""
    from fontTools import subset  # type: ignore[import-untyped]

    options = subset.Options()
    options.font_number = _simplified_chinese_index(source)
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(ch) for ch in label_characters()))
    subsetter.subset(font)
    _rename(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(target), options)
    return target


def _simplified_chinese_index(source: str | Path) -> int:
    """The index of Noto Sans CJK SC in a collection (0 for a single font)."""
    from fontTools.ttLib import TTCollection  # type: ignore[import-untyped]

    if not str(source).lower().endswith((".ttc", ".otc")):
        return 0
    collection = TTCollection(str(source))
    for number, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == "Noto Sans CJK SC":
            return number
    raise ValueError(f"{source} holds no Noto Sans CJK SC")


def _rename(font: object) -> None:
    # A Modified Version under the OFL: its own name, with the licence kept in the name table.
    names = font["name"]  # type: ignore[index]
    for record in names.names:
        if record.nameID in (1, 16) or record.nameID == 4:
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "") + "-Regular"
        elif record.nameID == 3:
            record.string = f"{FAMILY.replace(' ', '')}-Regular;kgxp subset"


if __name__ == "__main__":
    written = build(sys.argv[1])
    sys.stdout.write(
        f"wrote {written} ({written.stat().st_size:,} bytes, {len(label_characters())} characters)\n"
    )
