"""The example notebook, executed, stays small and shows numbers as numbers.

nbmake (``pytest --nbmake examples``) checks that it runs; this executes it once more
to look at what it stores: under 1 MB (text reprs are summaries, not megabytes of
fields), a figure for every plot cell, and the frame cell's numbers.
"""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOK = ROOT / "examples" / "what_if.ipynb"


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # The kernel imports this checkout's kgxp, whatever directory it starts in.
    previous = os.environ.get("PYTHONPATH")
    backend = os.environ.pop("MPLBACKEND", None)  # conftest's Agg: the kernel shows figures
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), *([previous] if previous else [])]
    )
    try:
        client = NotebookClient(
            notebook,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        )
        client.execute()
    finally:
        if backend is not None:
            os.environ["MPLBACKEND"] = backend
        if previous is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = previous
    return notebook


def test_executed_notebook_is_under_a_megabyte(executed: nbformat.NotebookNode) -> None:
    size = len(nbformat.writes(executed).encode("utf-8"))
    assert size < 1_000_000, f"{size:,} bytes"
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/plain", "")
            assert len(text) < 5_000, cell.source[:80]


def test_every_plot_cell_shows_its_figure(executed: nbformat.NotebookNode) -> None:
    plot_cells = [c for c in executed.cells if c.cell_type == "code" and "plots.plot_" in c.source]
    assert len(plot_cells) >= 4
    for cell in plot_cells:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, cell.source


def test_the_frame_cell_shows_numbers(executed: nbformat.NotebookNode) -> None:
    cell = next(c for c in executed.cells if "to_frame(scenario)" in c.source)
    table = cell.outputs[0]["data"]["text/plain"]
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines()[2:]}
    assert set(rows) >= {"protected", "in_school", "waiting"}
    for values in rows.values():
        teachers, mean_score, first_choice = values
        assert int(teachers) > 0
        assert 0 < float(mean_score) <= 100
        assert 0 <= int(first_choice) <= int(teachers)
