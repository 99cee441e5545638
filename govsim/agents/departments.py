"""Departments: the pools of staff that take government matters."""

from govsim.agents.offices import Office


class Department(Office):
    """A functional department (market regulation, utilities …) with its own queue.

    It takes the incidents it owns when they reach its tier; its staff travel from the
    office of the tier's region that holds the incident.
    """
