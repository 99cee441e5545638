"""Evaluation of grid workers each period: points, the red and black lists, effort, pay.

Every period (``points.period``: 30, 90 or 360 days) each grid worker is scored on the
period's work, by the scenario's evaluation weights (Zhenyuan's 4 : 3 : 3):

- government: the share of their closures made within the deadline;
- community: the share of their closures whose fix held (no recurrence);
- residents: the share of their rated closures rated satisfied;

``score = Σ weight × share`` (0–1; a share with nothing to count is 1), and a worker
scoring at least ``points.excellent_at`` is rated excellent. A worker with fewer than
``points.min_caseload`` closures in the period is not rated: not excellent, on neither
list, their effort not pushed (otherwise one with nothing to count scores 1). Each
excellent rating is paid ``points.pay_per_excellent``. Points are the public
currency: ``per_closure × closures + per_satisfied × satisfied ratings −
overdue_penalty × overdue closures`` (accountability counts a late case against the
one who closed it). The ``list_share`` of rated workers with most points make the red
list, those with fewest the black list.

Effort responds: a rated worker not rated excellent raises effort by
``effort_step × bonus`` (pay follows the evaluation), a black-listed one by
``black_list_push`` more, up to ``effort_max``; one rated excellent or not rated (no
pressure) loses the share ``effort_decay`` of it. Effort is speed and care: it
multiplies a worker's pace by ``1 + effort``, divides the chance their fix fails by
``1 + effort`` and adds ``effort_care × effort`` to the rating of their fixes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from govsim.agents.workers import TALLIES, Worker
from govsim.registry import EVALUATION
from govsim.world.scenario import Scenario

DAYS_PER_MONTH = 30
#: The tallies a score is made of.
SCORED = ("closed", "on_time", "failed", "rated", "satisfied")
#: Days between evaluations, per ``points.period`` (a year: twelve 30-day months).
PERIOD_DAYS = {"monthly": DAYS_PER_MONTH, "quarterly": 3 * DAYS_PER_MONTH, "yearly": 360}


@EVALUATION.register("monthly_points")
class MonthlyEvaluation:
    """Points for closures and ratings, a score by the evaluation weights, red and black lists.

    Every ``period_days`` a worker with at least ``points.min_caseload`` closures is scored
    by the evaluation weights (excellent at ``points.excellent_at``), earns points, may
    make the red or black list, and raises their effort when not rated excellent; effort
    decays otherwise (see ``govsim.policies.evaluation``).
    """

    def __init__(self, scenario: Scenario) -> None:
        self.points = scenario.incentives.points
        self.weights = scenario.incentives.evaluation
        self.bonus = scenario.incentives.bonus
        self.satisfied_at = scenario.followup.satisfied_at
        self.period_days = PERIOD_DAYS[self.points.period]

    def closed(self, worker: Worker, on_time: bool) -> None:
        """Count a closure by ``worker``, within its deadline or not."""
        tally = worker.tally
        tally["closed"] += 1
        tally["on_time"] += on_time

    def failed(self, worker: Worker) -> None:
        """Count a fix of ``worker``'s that did not hold."""
        worker.tally["failed"] += 1

    def rated(self, worker: Worker, rating: float) -> None:
        """Count a follow-up rating (1–5) of a closure by ``worker``."""
        tally = worker.tally
        tally["rated"] += 1
        tally["satisfied"] += rating >= self.satisfied_at

    def evaluate(self, workers: Sequence[Worker]) -> dict[str, np.ndarray]:
        """Evaluate ``workers`` on their tallies, update their effort and reset the tallies.

        Returns per worker: ``worker`` (id), ``points``, ``score``, ``rated`` (bool: at
        least ``min_caseload`` closures), ``excellent`` (bool, rated only), ``listed`` (+1
        red list, −1 black list, 0 neither; rated only) and the new ``effort``.
        """
        tally = {name: np.array([w.tally[name] for w in workers], float) for name in SCORED}
        closed, rated = tally["closed"], tally["rated"]
        w, p = self.weights, self.points
        score = (
            w.government * _share(tally["on_time"], closed)
            + w.community * _share(closed - tally["failed"], closed)
            + w.residents * _share(tally["satisfied"], rated)
        )
        overdue = closed - tally["on_time"]
        points = p.per_closure * closed + p.per_satisfied * tally["satisfied"]
        points -= p.overdue_penalty * overdue
        rated_ok = closed >= p.min_caseload
        excellent = (score >= p.excellent_at - 1e-12) & rated_ok
        listed = np.zeros(len(workers), dtype=np.int8)
        listed[rated_ok] = _lists(points[rated_ok], p.list_share)
        pressed = rated_ok & ~excellent
        effort = np.array([wk.effort for wk in workers])
        effort = np.where(pressed, effort, effort * (1.0 - p.effort_decay))
        effort += p.effort_step * self.bonus * pressed + p.black_list_push * (listed < 0)
        effort = np.minimum(effort, p.effort_max)
        for worker, value in zip(workers, effort.tolist(), strict=True):
            worker.effort = value
            worker.tally = dict.fromkeys(TALLIES, 0)
        return {
            "worker": np.array([wk.unique_id for wk in workers]),
            "points": points,
            "score": score,
            "rated": rated_ok,
            "excellent": excellent,
            "listed": listed,
            "effort": effort,
        }


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """part / whole, and 1 where there was nothing to count."""
    return np.divide(part, whole, out=np.ones_like(part), where=whole > 0)


def _lists(points: np.ndarray, share: float) -> np.ndarray:
    """+1 for the ``share`` with most points (red list), −1 for those with fewest (black);
    ties broken by position, so the lists always hold ``round(share × n)`` workers."""
    n_listed = round(share * points.size)
    listed = np.zeros(points.size, dtype=np.int8)
    if n_listed:
        order = np.argsort(points, kind="stable")
        listed[order[:n_listed]] = -1
        listed[order[-n_listed:]] = 1
    return listed
