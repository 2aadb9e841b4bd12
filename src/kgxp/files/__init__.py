"""Files in and out: scenario JSON, rosters, results and publication lists.

``scenario_json`` (JSON in and out, the JSON Schema), ``roster_layout``,
``roster_read`` and ``roster_write`` (Excel/CSV rosters with Chinese headers),
``publication`` (results, 公示名单 and 待岗人员名单 as CSV, xlsx and JSON).
"""
