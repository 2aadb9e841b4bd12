"""The module paths before the layered layout still work, for one release, with a warning."""

from __future__ import annotations

import importlib
import warnings

import pytest

import kgxp
from kgxp._internal.moved import MOVED


def _public_names(old: str) -> list[tuple[str, object]]:
    names = []
    for new in MOVED[old]:
        module = importlib.import_module(new)
        names += [(name, getattr(module, name)) for name in getattr(module, "__all__", ())]
    return names


@pytest.mark.parametrize("old", sorted(MOVED))
def test_every_old_path_gives_the_same_objects_with_a_warning(old: str) -> None:
    stand_in = importlib.import_module(old)
    names = _public_names(old)
    assert names, f"{old} has nothing to forward"
    first_found: dict[str, object] = {}
    for name, value in names:
        first_found.setdefault(name, value)
    for name, value in first_found.items():
        with pytest.warns(
            DeprecationWarning, match=rf"{old} is deprecated: import {name} from kgxp\."
        ):
            assert getattr(stand_in, name) is value


def test_from_import_of_an_old_path() -> None:
    with pytest.warns(DeprecationWarning, match="import pay_lines from kgxp.waiting.ledger"):
        from kgxp.ledger import pay_lines
    assert pay_lines is kgxp.pay_lines


def test_old_module_attribute_of_the_package() -> None:
    with pytest.warns(DeprecationWarning, match="kgxp.engine is deprecated"):
        assert kgxp.engine.run_round is kgxp.run_round  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match="kgxp.mechanisms.market is deprecated"):
        from kgxp.mechanisms.market import Market
    from kgxp.round.mechanisms.market import Market as moved

    assert Market is moved


def test_importing_an_old_path_keeps_the_function_of_the_same_name() -> None:
    # ``kgxp.verify`` is the function; importing the old module ``kgxp.verify`` must not
    # replace it with the module on the package (nor ``simulate``, ``compare``).
    import kgxp.compare
    import kgxp.simulate
    import kgxp.verify
    import kgxp.verify_simulation

    assert callable(kgxp.verify) and kgxp.verify.__module__ == "kgxp.checks.verify"
    assert kgxp.simulate.__module__ == "kgxp.waiting.simulation"
    assert kgxp.compare.__module__ == "kgxp.views.comparison"
    assert kgxp.verify_simulation.__module__ == "kgxp.checks.simulation"


def test_unknown_names_are_attribute_errors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
            importlib.import_module("kgxp.ledger").nothing_here  # noqa: B018
        with pytest.raises(AttributeError, match="no attribute 'no_such_module'"):
            kgxp.no_such_module  # type: ignore[attr-defined]  # noqa: B018
    assert "pay_lines" in dir(importlib.import_module("kgxp.ledger"))


def test_the_waiting_package_still_exports_the_state_machine() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from kgxp.waiting import WaitingState, step, transition_table

    assert step is kgxp.step and WaitingState is kgxp.WaitingState
    assert transition_table is kgxp.transition_table


def test_result_module_still_exports_builder_and_trusted() -> None:
    # They live in kgxp.model.building; the CHANGELOG promised users they stay importable
    # from kgxp.model.result, silently (not a moved module), and from the old kgxp.result.
    from kgxp.model import building

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from kgxp.model.result import builder, trusted

    assert builder is building.builder and trusted is building.trusted
    assert {"builder", "trusted"} <= set(importlib.import_module("kgxp.model.result").__all__)
    with pytest.warns(DeprecationWarning, match="import builder from kgxp.model.result"):
        assert importlib.import_module("kgxp.result").builder is building.builder
