"""R11: the unit inside which a round moves teachers (school, district, community, group, county)."""

from __future__ import annotations

from kgxp.model.policy import Scope
from kgxp.model.scenario import School

__all__ = ["scope_unit"]


def scope_unit(school: School, scope: Scope) -> str:
    """The id of ``school``'s unit at ``scope``.

    Two schools are in the same unit when their ids here are equal. A school
    with no district (community, group) at that scope forms a unit of its own:
    a district-scoped round never moves its teachers elsewhere.
    """
    if scope is Scope.COUNTY:
        return "county"
    if scope is Scope.SCHOOL:
        return f"school:{school.id}"
    unit = {
        Scope.DISTRICT: school.district,
        Scope.COMMUNITY: school.community,
        Scope.GROUP: school.group,
    }[scope]
    return f"{scope.value}:{unit}" if unit is not None else f"school:{school.id}"
