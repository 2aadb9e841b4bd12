"""Frozen models built without pydantic validation, for values that are already valid.

The engine builds a few hundred thousand reasons and outcomes per 100,000 teachers
from a validated scenario and policy; validating them again would cost about a third
of a round. :func:`trusted` and :func:`builder` make instances equal to validated
ones (same ``__dict__``, fields-set and JSON) at a fraction of the cost, and
:func:`raw_instance` is the step both end with (also used by
:class:`~kgxp.model.result.OutcomeTable` to build an outcome on access).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel

from kgxp._internal.frozen import FrozenModel

__all__ = [
    "builder",
    "raw_instance",
    "row_builder",
    "share_fields_set",
    "shared_fields_set",
    "trusted",
]

_Model = TypeVar("_Model", bound=FrozenModel)

_REQUIRED = object()  # marks a field without default in a ``_spec``'s defaults

# Per model built so: every field with its default, in declaration order (so
# ``__dict__``, ``repr`` and equality match a validated instance), with the number
# of fields and the required names (one look-up per ``trusted`` call).
_SPECS: dict[type[FrozenModel], tuple[dict[str, Any], int, frozenset[str]]] = {}


def _spec(model: type[FrozenModel]) -> tuple[dict[str, Any], int, frozenset[str]]:
    spec = _SPECS.get(model)
    if spec is None:
        defaults = {
            name: _REQUIRED if field.is_required() else field.get_default(call_default_factory=True)
            for name, field in model.model_fields.items()
        }
        required = frozenset(name for name, value in defaults.items() if value is _REQUIRED)
        spec = _SPECS[model] = (defaults, len(defaults), required)
    return spec


def trusted(model: type[_Model], **values: Any) -> _Model:
    """``model(**values)`` without pydantic validation, for values that are already valid.

    The engine builds a :class:`~kgxp.model.result.Reason` or two per teacher from a
    validated :class:`~kgxp.model.scenario.Scenario` and policy: ids from its
    records, ``Decimal`` scores, enum members, tuples. Validating them again cost
    ~6 µs per model (``model_construct`` is slower still, ~12 µs). The instance has
    the same ``__dict__`` (every field, declaration order) and fields-set as a
    validated one, so it is equal to it and serialises to the same JSON. Unknown or
    missing fields are still errors.
    """
    defaults, count, required = _spec(model)
    fields = {**defaults, **values}  # keys keep the declaration order of ``defaults``
    if len(fields) != count or not required <= values.keys():
        unknown = sorted(values.keys() - defaults.keys())
        missing = sorted(required - values.keys())
        raise TypeError(f"{model.__name__}: unknown fields {unknown}, missing fields {missing}")
    return raw_instance(model, fields, shared_fields_set(values.keys()))


def raw_instance(model: type[_Model], fields: dict[str, Any], fields_set: set[str]) -> _Model:
    """An instance of ``model`` holding ``fields`` (every field, declaration order) as is.

    What ``BaseModel.model_construct`` sets, minus its per-field alias and default
    handling; ``fields_set`` is kept by reference (a :func:`shared_fields_set`).
    """
    instance = _new_object(model)
    _set_dict(instance, fields)
    _set_fields_set(instance, fields_set)
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


def builder(model: type[_Model], *names: str) -> Callable[..., _Model]:
    """A fast :func:`trusted` for one call shape: ``builder(Reason, "rule", "code")("R5", "placed")``.

    The engine builds a few hundred thousand reasons per 100,000 teachers, always
    with the same few shapes. For one shape the returned function writes the
    instance's ``__dict__`` as one literal, every field in declaration order
    (defaults for the fields not named), the way ``dataclasses`` and ``attrs``
    generate ``__init__``: ~40% cheaper than :func:`trusted`, which merges and
    checks keyword dicts on every call. The names are checked once, here (unknown or
    missing required fields are a ``TypeError``), and the instances are exactly
    :func:`trusted`'s. Any frozen model can be built so (the waiting package's rows,
    :mod:`kgxp.waiting._rows`).
    """
    defaults = _spec(model)[0]
    unknown = sorted(set(names) - defaults.keys())
    missing = sorted({n for n, value in defaults.items() if value is _REQUIRED} - set(names))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if unknown or missing or repeated:
        raise TypeError(
            f"{model.__name__}: unknown fields {unknown}, missing fields {missing}, "
            f"repeated fields {repeated}"
        )
    return _generated(model, names, shared_fields_set(names))


def row_builder(model: type[_Model]) -> Callable[..., _Model]:
    """A :func:`builder` of every field, in declaration order, then the instance's
    fields-set (a :func:`shared_fields_set`): ``row_builder(Reason)(*values, names)``.

    What a table of rows needs to build the model of one row on access: the fields
    each row was given differ (pydantic's ``model_fields_set``), so they are an
    argument, kept by reference.
    """
    return _generated(model, tuple(_spec(model)[0]), None)


def _generated(
    model: type[_Model], names: tuple[str, ...], fields_set: set[str] | None
) -> Callable[..., _Model]:
    """The function writing an instance's ``__dict__`` as one literal (see :func:`builder`);
    with ``fields_set`` ``None`` it takes the fields-set as its last argument."""
    defaults = _spec(model)[0]
    # Only identifiers and constants reach the generated source: field names are
    # checked against the model's own, values are parameters or named defaults.
    if not set(names) <= defaults.keys() or "_fields_set" in names:
        raise TypeError(f"{model.__name__}: unknown fields {sorted(set(names) - defaults.keys())}")
    namespace: dict[str, Any] = {
        "_fields_set": fields_set,
        "_model": model,
        "_new": _new_object,
        "_set_dict": _set_dict,
        "_set_fields_set": _set_fields_set,
        "_set_extra": _set_extra,
        "_set_private": _set_private,
        **{f"_default_{name}": value for name, value in defaults.items()},
    }
    entries = ", ".join(
        f"{name!r}: {name if name in names else f'_default_{name}'}" for name in defaults
    )
    parameters = [*names, "_fields_set"] if fields_set is None else list(names)
    source = (
        f"def build({', '.join(parameters)}):\n"
        "    instance = _new(_model)\n"
        f"    _set_dict(instance, {{{entries}}})\n"
        "    _set_fields_set(instance, _fields_set)\n"
        "    _set_extra(instance, None)\n"
        "    _set_private(instance, None)\n"
        "    return instance\n"
    )
    exec(source, namespace)
    build: Callable[..., _Model] = namespace["build"]
    build.__qualname__ = f"builder({model.__name__}, {', '.join(parameters)})"
    return build


# One fields-set per set of names, shared by every instance built with it and, through
# :func:`share_fields_set`, by every validated scenario record given those fields. A
# set of five to twenty names costs 470-2,264 bytes, more than the instance's
# ``__dict__``: one per Reason and Outcome was over half of a 100,000-teacher result's
# memory, one per teacher, pay and evaluation 680 MB of a 300,000-teacher scenario's
# 1.2 GB (issue 19). Sharing is safe because the models are frozen: pydantic mutates a
# fields-set only on attribute assignment (refused) and gives ``model_copy`` and
# ``copy`` their own copy before adding to it (tests/test_speed_internals.py and
# tests/test_scenario_memory.py check both).
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}
# Distinct sets kept: the engine's shapes and a file's are a handful, but the names a
# file gives are its own choice, so a hostile file cannot grow the registry without end.
_FIELDS_SETS_LIMIT = 4096


def shared_fields_set(names: Iterable[str]) -> set[str]:
    """The one fields-set of these names that built instances share (never mutated)."""
    key = frozenset(names)
    shared = _FIELDS_SETS.get(key)
    if shared is None:
        shared = set(key)
        if len(_FIELDS_SETS) < _FIELDS_SETS_LIMIT:
            _FIELDS_SETS[key] = shared
    return shared


def share_fields_set(instance: BaseModel) -> None:
    """Give a validated frozen ``instance`` the shared fields-set of the fields it was given.

    pydantic-core gives each validated instance its own set; replaced as each record
    is built, it is freed at once and its memory reused for the next one.
    """
    names = _fields_set_of(instance)
    every = _EVERY_FIELD.get(type(instance))
    if every is None:
        every = _EVERY_FIELD[type(instance)] = shared_fields_set(type(instance).model_fields)
    if len(names) == len(every):  # the common case (names are model fields), no key built
        _set_fields_set(instance, every)
    else:
        _set_fields_set(instance, shared_fields_set(names))


_EVERY_FIELD: dict[type[BaseModel], set[str]] = {}


# BaseModel keeps ``__dict__`` and these in slots; their descriptors set them directly,
# without the generic ``object.__setattr__`` look-up (a quarter of the cost of ``trusted``).
_new_object = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_fields_set_of = BaseModel.__dict__["__pydantic_fields_set__"].__get__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
