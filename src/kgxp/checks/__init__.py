"""The invariants checked on a result, trusting nothing in it (I1–I9, I12, I14; I10–I11).

``verify`` runs the checks of one round's result, one module per family:
``conservation`` (I1, I2), ``eligibility`` (I3, I4), ``round_order`` (I5, I6),
``envy`` (I7), ``adjustment`` (I8), ``waiting_last`` (I9), ``determinism``
(I12), over what ``context`` reads once. ``simulation`` checks a multi-semester
simulation (I10, I11). The checks recompute what the rules fix with the round's
own pure derivations (protection, split, ranking) and never raise on a
malformed result.
"""
