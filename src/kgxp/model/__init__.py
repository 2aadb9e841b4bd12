"""The documents and what makes them valid: the bottom layer of kgxp.

``scenario`` (the county, its schools, posts and teachers; R1–R4 data),
``validation`` (the cross-record checks: a :class:`~kgxp.model.scenario.Scenario`
is valid by construction), ``policy`` (every rule parameter, presets), ``result``
(a round's outcomes and reasons), ``months``, ``semester`` and ``retirement``
(the calendar and the 2025 statutory retirement rule, §4), ``digest`` (the
scenario's fingerprint, I12). Nothing here imports another layer of kgxp.
"""
