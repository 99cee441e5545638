"""Demand over time compiled for the sampler: each day's multipliers and the hour profile.

``OccurrenceSampler`` draws a day's candidates at each (cell, type)'s highest rate of the
day and keeps each with probability λ(t) / λmax (Lewis–Shedler thinning); this module
gives it the two tables that define λ(t) / λmax (see ``govsim.world.demand``).
"""

from __future__ import annotations

import math

import numpy as np

from govsim.world.scenario import Scenario


class DemandCurve:
    """The rate multipliers of every incident type over a run.

    ``daily[day, kind]`` is the day's weekday × month × windows multiplier; ``hourly[kind,
    hour]`` the hour-of-day multiplier (mean 1) and ``hour_peak[kind]`` its largest value.
    ``thins`` is False when every hour profile is flat: then a day's rate is constant and
    no candidate is ever refused.
    """

    def __init__(self, scenario: Scenario, days: int) -> None:
        names = list(scenario.incidents)
        demand = scenario.demand
        self.daily = demand.day_table(names, scenario.calendar.start_date, days)
        self.hourly = demand.hour_table(names)
        self.hour_peak = self.hourly.max(axis=1)
        self.thins = bool((self.hourly != 1.0).any())

    def acceptance(self, kinds: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """λ(t) / λmax of candidates of types ``kinds`` at hours of day ``hours`` (0–23)."""
        return self.hourly[kinds, hours] / self.hour_peak[kinds]


def demand_curve(scenario: Scenario, until_h: float) -> DemandCurve | None:
    """The run's demand curve up to ``until_h`` hours, or None when ``scenario.demand``
    sets none (then the sampler runs its stationary path)."""
    if not scenario.demand.active:
        return None
    return DemandCurve(scenario, max(1, math.ceil(until_h / 24.0)))
