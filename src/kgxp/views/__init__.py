"""What people read and look at: reports, notebook views, plots, comparisons, what-ifs.

``summary`` (a scenario before its round), ``metrics`` (the §6 balance metric,
movement; R14, R16), ``report`` (text, Markdown, HTML), ``comparison`` (two
rounds side by side, appeals), ``html`` (notebook displays), ``plots``,
``whatif`` (several policy variants with one seed).
"""
