"""Frozen copy of kgxp.waiting's simulation path before issue 19 (commit 1425d07): the reference
the linear simulation is compared with, byte for byte (tests/test_cycle.py). Do not edit."""
