"""One run's window in time: the run, its warm-up and its drain, in days and hours.

A run lasts ``days`` from the first occurrence; its first ``warmup_days`` (at most half
the run) are warm-up, excluded from every metric, so the measured window is the rest.
After the run, handlers keep working for up to ``drain_days`` on the incidents of the
window (no measured incident is cut off unfinished), while occurrences go on.

    |-- warm-up --|------------ measured ------------|------ drain ------|
    0          warmup_h                          horizon_h         drain_until_h

The CLI, ``Sim``, experiment specs and the engine all take the window from here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from govsim.errors import ScenarioError


class RunSection(Protocol):
    """A scenario's ``run`` section, as far as the window reads it (days)."""

    days: float
    warmup_days: float
    drain_days: float


class HasRun(Protocol):
    """A scenario (``govsim.world.scenario.Scenario``), as far as the window reads it."""

    run: RunSection


#: Shortest run: the metrics sample the state once a day, so a shorter run has no sample.
MIN_DAYS = 1.0
#: Longest run, ten years: twice the longest preset (Helong, five); the engine keeps every
#: event of a run in memory and a run's work grows with its length.
MAX_DAYS = 3_650.0


def check_days(days: float, where: str = "days") -> float:
    """``days`` as a float if it is a finite number of days in [MIN_DAYS, MAX_DAYS];
    otherwise raise ``ScenarioError`` naming ``where`` and the allowed range."""
    if isinstance(days, bool) or not isinstance(days, int | float) or not math.isfinite(days):
        raise ScenarioError(
            f"{where}: expected a number of days, got {days!r}; allowed: {MIN_DAYS:g} to "
            f"{MAX_DAYS:,.0f}"
        )
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ScenarioError(
            f"{where}: {days:g} days; allowed: {MIN_DAYS:g} to {MAX_DAYS:,.0f} "
            "(a run samples its state once a day; 3,650 days is ten years)"
        )
    return float(days)


@dataclass(frozen=True)
class Window:
    """A run's time window: ``days`` in all (warm-up included), the scenario's
    ``warmup_days`` (of which at most half the run is used: ``warmup_h``) and
    ``drain_days`` after the run."""

    days: float
    warmup_days: float
    drain_days: float

    @classmethod
    def of(cls, scenario: HasRun, days: float | None = None) -> Window:
        """The window of ``scenario`` (its ``run`` section), ``days`` overriding ``run.days``.

        Raises ``ScenarioError`` when ``days`` is not in [MIN_DAYS, MAX_DAYS].
        """
        run = scenario.run
        total = check_days(days if days is not None else run.days)
        return cls(total, float(run.warmup_days), float(run.drain_days))

    @property
    def horizon_h(self) -> float:
        """End of the run (and of the measured window), hours from the start."""
        return self.days * 24.0

    @property
    def warmup_h(self) -> float:
        """End of the warm-up (start of the measured window), hours from the start: the
        scenario's warm-up, clamped to half the run."""
        return min(self.warmup_days * 24.0, self.horizon_h / 2)

    @property
    def drain_until_h(self) -> float:
        """When the drain stops at the latest, hours from the start."""
        return self.horizon_h + self.drain_days * 24.0

    @property
    def measured_days(self) -> float:
        """Days of the measured window (the run less the warm-up used)."""
        return (self.horizon_h - self.warmup_h) / 24.0

    def describe(self) -> str:
        """What a figure or table title says: ``60 days, the first 30 warm-up``."""
        return describe((self.warmup_h, self.horizon_h))


def describe(window_h: tuple[float, float]) -> str:
    """What a run measured, from its ``(warmup_h, horizon_h)`` (a ledger's ``window_h``):
    ``60 days, the first 30 warm-up`` (or ``60 days, no warm-up``)."""
    warmup_h, horizon_h = window_h
    days = horizon_h / 24.0
    if warmup_h <= 0:
        return f"{days:g} days, no warm-up"
    return f"{days:g} days, the first {warmup_h / 24.0:.3g} warm-up"
