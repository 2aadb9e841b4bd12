"""The package's layers: every import points down (or stays inside its own package).

kgxp is layered so that a newcomer sees the pipeline in the tree and a change to a
view cannot reach into the engine: ``exceptions`` and the private helpers at the
base, then ``model`` (the documents), ``round`` (one placement round), ``waiting``
(semesters after it), ``checks`` (the invariants), ``files`` and ``views``, and the
command line, ``kgxp.testing`` and ``kgxp/__init__`` on top (docs/concepts.md).
The imports are read with ``ast`` — inside functions and ``TYPE_CHECKING`` blocks
too — so a lazy import cannot hide an upward arrow.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "kgxp"

LAYERS: Mapping[str, int] = {
    "exceptions": 0,
    "_internal": 0,
    "i18n": 0,  # the message catalogue: every layer that says something to people
    "_version": 0,
    "model": 1,
    "round": 2,
    "waiting": 3,
    "checks": 4,
    "files": 5,
    "archive": 6,
    "views": 6,
    "lottery": 6,
    "cli": 7,
    "cli_archive": 7,
    "cli_options": 7,
    "testing": 7,
    "schemas": 7,
    "_hypothesis_plugin": 7,
    "_strategy_registry": 7,
    "_apidoc": 7,
    "__main__": 7,
    "": 7,  # kgxp/__init__.py
}
"""Top-level package or module of kgxp → its layer; an import may only point to a layer ≤ its own."""


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_sources() -> dict[str, str]:
    return {module_name(p): p.read_text(encoding="utf-8") for p in sorted(SOURCE.rglob("*.py"))}


def imported(module: str, source: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """The kgxp modules ``source`` imports, with line numbers (relative imports resolved)."""
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "kgxp":
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here[: len(here) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] != "kgxp":
                continue
            if base == "kgxp":  # ``from kgxp import x``: x may be a subpackage
                for alias in node.names:
                    yield f"kgxp.{alias.name}", node.lineno
            else:
                yield base, node.lineno


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer(module: str) -> int:
    name = top(module)
    if name not in LAYERS:
        return LAYERS[""]  # a name kgxp/__init__ exports (``from kgxp import run_round``)
    return LAYERS[name]


def upward_imports(sources: Mapping[str, str], packages: set[str]) -> list[str]:
    """Every import in ``sources`` that points to a higher layer."""
    found = []
    for module, source in sources.items():
        for target, line in imported(module, source, module in packages):
            if top(target) == top(module):
                continue
            if layer(target) > layer(module):
                found.append(
                    f"{module}:{line} imports {target} (layer {layer(module)} → {layer(target)})"
                )
    return found


def packages_of(sources: Mapping[str, str]) -> set[str]:
    return {module_name(p) for p in SOURCE.rglob("__init__.py")} & set(sources)


def test_every_module_has_a_layer() -> None:
    unknown = sorted({top(m) for m in package_sources()} - set(LAYERS))
    assert unknown == [], f"give these a layer in LAYERS and docs/concepts.md: {unknown}"


def test_imports_point_down_the_layers() -> None:
    sources = package_sources()
    assert upward_imports(sources, packages_of(sources)) == []


@pytest.mark.parametrize(
    ("module", "line"),
    [
        (
            "kgxp.model.scenario",
            "    from kgxp.views.html import scenario_html",
        ),  # lazy, in a function
        ("kgxp.model.result", "from kgxp.round.engine import run_round"),
        ("kgxp.round.engine", "from kgxp.files.scenario_json import dump_scenario"),
        ("kgxp.round.split", "from kgxp.checks import verify"),
        ("kgxp.waiting.ledger", "from kgxp import views"),
        ("kgxp._internal.memo", "if TYPE_CHECKING:\n    from kgxp.model.scenario import Scenario"),
        ("kgxp.files.publication", "from kgxp.views.report import render_report"),
        ("kgxp.round.ranking", "from ..waiting.ledger import pay_lines"),
        ("kgxp.round.mechanisms.market", "from ...checks.verify import verify"),
    ],
)
def test_an_upward_import_is_caught(module: str, line: str) -> None:
    sources = package_sources()
    assert upward_imports(sources, packages_of(sources)) == []
    broken = {
        **sources,
        module: sources[module]
        + "\n\ndef _added() -> None:\n"
        + "\n".join("    " + part for part in line.splitlines())
        + "\n",
    }
    found = upward_imports(broken, packages_of(sources))
    assert len(found) == 1 and found[0].startswith(module + ":"), found


def import_cycles(sources: Mapping[str, str], packages: set[str]) -> list[list[str]]:
    """Strongly connected groups (size > 1) of the module-level import graph (Tarjan)."""
    graph = {
        module: {t for t, _ in imported(module, source, module in packages) if t in sources}
        for module, source in sources.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycle_crosses_a_package() -> None:
    sources = package_sources()
    crossing = [
        group
        for group in import_cycles(sources, packages_of(sources))
        if len({m.rsplit(".", 1)[0] for m in group if m not in packages_of(sources)}) > 1
    ]
    assert crossing == []
