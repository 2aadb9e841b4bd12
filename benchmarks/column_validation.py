"""Would holding the input as columns make validation cheaper? Models beside columns.

Usage::

    python benchmarks/column_validation.py                       # 100,000 teachers, best of 3
    python benchmarks/column_validation.py --file county.json --repeat 5

Issue 19 asks for a 100,000-teacher file to be read, placed and verified in 2 s; the
file's decode and kgxp's validation alone take most of that (``lean_floor.py``'s
``decode`` and ``validate only`` rows). One way out would be a scenario held as
columns, validated a column at a time. This measures both ways on the same decoded
teachers, with the same field types and constraints (read from ``Teacher``'s own
fields, so they cannot drift): one pydantic ``Teacher`` model per record, as
``load_scenario`` builds them (without the cross-record checks), against reading each
field of every record into a column and validating each column with a pydantic
``TypeAdapter``. Seconds are the best of ``repeat`` runs, collector paused as kgxp
pauses it; no test asserts on them.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import jiter
from pydantic import BaseModel, ConfigDict, TypeAdapter

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from generator import county_file  # noqa: E402

from kgxp import Teacher  # noqa: E402
from kgxp._internal.gc_pause import collector_paused  # noqa: E402


def column_adapters() -> dict[str, tuple[TypeAdapter[Any], Any]]:
    """Per ``Teacher`` field: a validator of a list of its values, and its default."""
    config = ConfigDict(str_strip_whitespace=True)  # as every kgxp model's
    adapters: dict[str, tuple[TypeAdapter[Any], Any]] = {}
    for name, field in Teacher.model_fields.items():
        annotation: Any = field.annotation
        if field.metadata:
            annotation = Annotated[(annotation, *field.metadata)]
        nested = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        adapter = TypeAdapter(list[annotation], config=None if nested else config)
        adapters[name] = (adapter, None if field.is_required() else field.get_default())
    return adapters


def best(repeat: int, step: Any) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        with collector_paused():  # as kgxp pauses it while it validates
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teachers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--file", type=Path, help="a scenario file instead of a generated county")
    args = parser.parse_args(argv)
    with county_file(args.file, args.teachers) as path:
        records = jiter.from_json(path.read_bytes(), cache_mode="all")["teachers"]
    models = TypeAdapter(list[Teacher])
    adapters = column_adapters()
    columns: dict[str, list[Any]] = {}

    def transpose() -> None:
        columns.clear()
        columns.update(
            {
                name: [record.get(name, default) for record in records]
                for name, (_, default) in adapters.items()
            }
        )

    validated: dict[str, list[Any]] = {}

    def validate_columns() -> None:
        for name, (adapter, _) in adapters.items():
            validated[name] = adapter.validate_python(columns[name])

    as_models = best(args.repeat, lambda: models.validate_python(records))
    as_columns_read = best(args.repeat, transpose)
    as_columns_valid = best(args.repeat, validate_columns)
    # The same work both ways: every field's validated values equal the models'.
    teachers = models.validate_python(records)
    same = all(
        validated[name] == [getattr(teacher, name) for teacher in teachers] for name in adapters
    )
    print(f"| {len(records):,} teachers | best of {args.repeat}, s |")
    print("|---|---:|")
    print(f"| one `Teacher` model per record (no cross-record checks) | {as_models:.2f} |")
    print(f"| columns: each field of every record read into a column | {as_columns_read:.2f} |")
    print(f"| columns: each column validated (pydantic `TypeAdapter`) | {as_columns_valid:.2f} |")
    print(f"| columns, in all | {as_columns_read + as_columns_valid:.2f} |")
    print(f"\nevery column's values equal the models' fields: {'yes' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
