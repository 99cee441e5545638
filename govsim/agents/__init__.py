"""The Mesa agents of a governance model: residents, handlers, desks and volunteers."""

from govsim.agents.departments import Department
from govsim.agents.offices import Office
from govsim.agents.residents import ChannelChoice, Population
from govsim.agents.volunteers import Volunteer
from govsim.agents.workers import (
    DepartmentStaff,
    GridWorker,
    OfficeStaff,
    PartTimeGridWorker,
    Worker,
)

__all__ = [
    "ChannelChoice",
    "Department",
    "DepartmentStaff",
    "GridWorker",
    "Office",
    "OfficeStaff",
    "PartTimeGridWorker",
    "Population",
    "Volunteer",
    "Worker",
]
