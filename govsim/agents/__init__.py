"""The agents of a governance model: handlers, desks and volunteers (Mesa agents), and the
residents (a `Population` of arrays, not agents)."""

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
