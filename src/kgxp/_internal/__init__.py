"""Private helpers at the base of kgxp: nothing here knows a scenario or a rule.

``frozen`` and ``indexed_value`` are the bases of the documents' models;
``gc_pause`` and ``memo`` make rounds and checks fast; ``extras`` and
``progress`` reach optional packages and report long runs; ``log`` sends events to
the standard ``kgxp`` logger (silent until configured); ``rendering`` lets a
document find the view that draws it; ``moved`` keeps old module paths working.
Nothing here imports a layer above it (``tests/test_layers.py``).
"""
