"""Python in a child process, with this kgxp or another version's ``src``: for the benchmarks.

A benchmark that compares two versions of kgxp side by side, or needs a measurement's
peak memory to be its own, runs it in a fresh interpreter (``sys.executable``) with
``PYTHONPATH`` set to the version's ``src`` folder, or left as this process's, and reads
what the child prints. :func:`run_python` is that one step for every script here
(``publications.py``, ``roster_read.py``, ``simulate.py``, ``load_memory.py``,
``from_file.py``, ``run.py``); a child that fails stops the benchmark with the child's
own traceback. A process that reports its peak memory (every child, and
``lean_floor.py``, which times in its own process) reads it with :func:`own_peak_mb`.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["child_program", "last_json_line", "own_peak_mb", "run_python"]


def run_python(arguments: Sequence[str], *, source: Path | None = None) -> str:
    """What ``python *arguments`` prints, run in a child process whose ``PYTHONPATH`` is
    ``source`` (a version's ``src``; ``None``: this process's). A child that exits with an
    error is a ``RuntimeError`` carrying the child's stderr."""
    environment = os.environ.copy()
    if source is not None:
        environment["PYTHONPATH"] = str(source)
    done = subprocess.run(
        [sys.executable, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        where = "this PYTHONPATH" if source is None else f"PYTHONPATH={source}"
        raise RuntimeError(
            f"python {_shown(arguments)} ({where}) exited with {done.returncode}:\n{done.stderr}"
        )
    return done.stdout


def last_json_line(stdout: str) -> Any:
    """The JSON value a child printed on its last line (what it printed before, if anything,
    is left out: a library warning, a progress line)."""
    return json.loads(stdout.strip().splitlines()[-1])


def child_program(body: str) -> str:
    """``body`` as a ``python -c`` program that can import this folder's modules (its
    ``from child_process import own_peak_mb``): a ``-c`` child's path holds the current
    directory, not ``benchmarks/``."""
    return f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n{body}"


def own_peak_mb() -> float:
    """This process's peak RSS in MB: ``VmHWM``, the high-water mark of its own program.

    Not ``ru_maxrss``: Linux carries that over ``exec`` from the process that started
    this one, so a child of a benchmark that has just generated a 300,000-teacher county
    reports the benchmark's peak as its own (every child of ``from_file.py`` read 2,843
    MB; ``load_memory.py`` read 970 MB for a load of 313). ``ru_maxrss`` only where there
    is no ``/proc``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _shown(arguments: Sequence[str]) -> str:
    # A ``-c`` program is long: its first line says which one it was.
    return " ".join(
        argument if "\n" not in argument else (argument.strip().splitlines() or [""])[0] + " …"
        for argument in arguments
    )
