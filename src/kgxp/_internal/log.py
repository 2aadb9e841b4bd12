"""kgxp's structured events, through the standard :mod:`logging` module (internal).

A library is silent until the application configures logging. structlog's own
default prints every event to standard output, which corrupts a service's JSON
output and fills notebooks; so kgxp never uses structlog's global configuration
(and never changes it). Each module's logger is a structlog logger bound to the
stdlib logger of the same name (``kgxp.round.engine``…), under the ``kgxp``
logger, which has a :class:`logging.NullHandler`: with nothing configured,
nothing is printed, not even warnings (Python's last-resort handler is not used).

An event keeps its name and fields: the record's message is
``"round.stage round=in_school kind=in_school candidates=2291 …"`` (readable by any
formatter), and ``record.kgxp`` holds the same fields as a dict, event name
included, for structured handlers (JSON logs, ``caplog``). Fields are ids and
counts, never names: results are published, logs need not be. An event below the
logger's level costs one ``isEnabledFor`` check.

>>> import logging
>>> log = get_logger("kgxp.example")
>>> log.info("demo.event", teachers=3)          # nothing configured: prints nothing
>>> handler = logging.StreamHandler(__import__("sys").stdout)
>>> logging.getLogger("kgxp").addHandler(handler)
>>> logging.getLogger("kgxp").setLevel(logging.INFO)
>>> log.info("demo.event", teachers=3)
demo.event teachers=3
>>> logging.getLogger("kgxp").removeHandler(handler)
>>> logging.getLogger("kgxp").setLevel(logging.NOTSET)
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import structlog

__all__ = ["ROOT", "get_logger"]

ROOT = "kgxp"
"""The stdlib logger every kgxp event goes through; configure it to see them."""

logging.getLogger(ROOT).addHandler(logging.NullHandler())


def _to_stdlib(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    fields = dict(event_dict)
    event = str(fields.pop("event", ""))
    text = " ".join([event, *(f"{key}={value}" for key, value in fields.items())])
    # One attribute for the fields: a field named like a LogRecord attribute ("name",
    # "module") must not collide with it (logging raises KeyError on that).
    return (text,), {"extra": {"kgxp": {"event": event, **fields}}}


def get_logger(name: str) -> Any:
    """A structlog logger for module ``name`` that writes to ``logging.getLogger(name)``."""
    return structlog.wrap_logger(
        logging.getLogger(name),
        processors=[structlog.stdlib.filter_by_level, _to_stdlib],
        wrapper_class=structlog.stdlib.BoundLogger,
    )
