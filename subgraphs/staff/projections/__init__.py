"""Staff read side: the staff list and the projection that maintains it."""

from subgraphs.staff.projections.documents import StaffView
from subgraphs.staff.projections.staff_list import StaffList, evolve

DOCUMENTS = (StaffView,)

__all__ = ["DOCUMENTS", "StaffList", "StaffView", "evolve"]
