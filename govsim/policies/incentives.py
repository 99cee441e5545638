"""Incentives: how evaluation, bonus, fatigue and paperwork set a handler's pace and care.

- speed: a grid worker paid by an evaluation that counts closures works faster,
  ``1 + speed_gain × bonus × w_government``; overtime fatigue slows them,
  ``/ (1 + effect × fatigue)``;
- care: where closures outweigh residents' ratings the chance a fix fails grows,
  ``fail_prob × max(0, 1 + corner_cutting × bonus × (w_government − w_residents))``;
- time: paperwork takes ``(paperwork − burden reduction) / workweek`` of grid workers' and
  office staff's time, so they handle incidents at that much lower a pace.

The defaults (no bonus, no paperwork) leave every handler at speed 1 and every fix at its
incident type's ``fail_prob``.
"""

from __future__ import annotations

from govsim.world.scenario import Scenario


class IncentiveScheme:
    """The pace and care that a scenario's incentives and staffing give each kind of handler."""

    def __init__(self, scenario: Scenario) -> None:
        incentives, staffing = scenario.incentives, scenario.staffing
        weights, bonus = incentives.evaluation, incentives.bonus
        freed = incentives.burden_reduction_h_per_week
        paperwork = max(0.0, staffing.paperwork_h_per_week - freed)
        self.availability = max(0.05, 1.0 - paperwork / staffing.workweek_h)
        self.grid_speed = (
            1.0 + incentives.speed_gain * bonus * weights.government
        ) * self.availability
        pressure = bonus * (weights.government - weights.residents)
        self.fail_factor = max(0.0, 1.0 + incentives.corner_cutting * pressure)
        self.fatigue = scenario.behaviour.fatigue
        self.tires = scenario.behaviour.enabled

    def tired_speed(self, base_speed: float, fatigue: float) -> float:
        """The pace of a handler with ``fatigue`` whose rested pace is ``base_speed``."""
        return base_speed / (1.0 + self.fatigue.effect * fatigue)

    def next_fatigue(self, fatigue: float, busy_h: float) -> float:
        """Fatigue after a day with ``busy_h`` busy hours: recovery, plus overtime accrued."""
        if not self.tires:
            return 0.0
        spec = self.fatigue
        overtime = max(0.0, busy_h - spec.standard_h_per_day) / spec.standard_h_per_day
        return (1.0 - spec.recovery_per_day) * fatigue + overtime
