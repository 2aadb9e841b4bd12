"""Every Python example in the README and docs/ runs; module doctests pass; tables are current."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re

import pytest

import kgxp
from kgxp import policy_table
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks() -> list[tuple[str, int, str]]:
    found = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for number, match in enumerate(BLOCK.finditer(text)):
            found.append((path.name, number, match.group(1)))
    return found


@pytest.mark.parametrize("doc", sorted({doc for doc, _, _ in _blocks()}))
def test_doc_examples_run(
    doc: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A page's blocks run in order in one namespace, as a reader would type them."""
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__doc_example__"}
    for name, number, code in _blocks():
        if name == doc:
            exec(compile(code, f"{doc}[{number}]", "exec"), namespace)


def test_there_are_doc_examples() -> None:
    assert len(_blocks()) >= 5


# Alembic's env.py runs only inside a migration (it reads the migration's context).
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(kgxp.__path__, "kgxp.")
    if not m.name.endswith("__main__") and m.name != "kgxp.archive.migrations.env"
)


@pytest.mark.parametrize("name", MODULES)
def test_module_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_policy_table_in_docs_is_current() -> None:
    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    assert policy_table() in text, "regenerate docs/policy.md's table with `kgxp policy`"


def test_public_api_is_explicit() -> None:
    assert sorted(kgxp.__all__) == sorted(set(kgxp.__all__))
    for name in kgxp.__all__:
        assert hasattr(kgxp, name), name


def test_api_reference_is_current() -> None:
    from kgxp._apidoc import render_api_reference

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert text == render_api_reference(), "regenerate: python -m kgxp._apidoc > docs/api.md"
