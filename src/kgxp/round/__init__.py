"""One placement round, scenario in → result out (R2–R6, R11–R13, R15).

``prepare`` (home schools R3, reserved seats R2, protection R4, the R5 split via
``protection`` and ``split``), ``scoring`` and ``ranking`` (merit order, R12,
R15), ``scope`` (round scopes, R11), ``competition`` (the in-school and
cross-school rounds), ``adjustment`` (R6), ``engine`` (:func:`run_round`, the
plan of rounds), ``mechanisms`` (markets → matchings: deferred acceptance, the
optimal CP-SAT mechanism). Imports only :mod:`kgxp.model`.
"""
