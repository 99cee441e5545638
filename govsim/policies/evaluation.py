"""Monthly evaluation of grid workers: points, the red and black lists, and effort.

Every month (30 days) each grid worker is scored on the month's work, by the scenario's
evaluation weights (Zhenyuan's 4 : 3 : 3):

- government: the share of their closures made within the deadline;
- community: the share of their closures whose fix held (no recurrence);
- residents: the share of their rated closures rated satisfied;

``score = Σ weight × share`` (0–1; a share with nothing to count is 1), and a worker
scoring at least ``points.excellent_at`` is rated excellent. Points are the public
currency: ``per_closure × closures + per_satisfied × satisfied ratings −
overdue_penalty × overdue closures`` (accountability counts a late case against the
one who closed it). The ``list_share`` with most points make the red list, those with
fewest the black list.

Effort responds: a worker not rated excellent raises effort by ``effort_step × bonus``
(pay follows the evaluation), a black-listed one by ``black_list_push`` more, up to
``effort_max``. Effort is speed and care: it multiplies a worker's pace by ``1 + effort``,
divides the chance their fix fails by ``1 + effort`` and adds ``effort_care × effort`` to
the rating of their fixes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from govsim.agents.workers import TALLIES, Worker
from govsim.registry import EVALUATION
from govsim.world.scenario import Scenario

DAYS_PER_MONTH = 30


@EVALUATION.register("monthly_points")
class MonthlyEvaluation:
    """Points for closures and ratings, a score by the evaluation weights, red and black lists.

    Each month a worker is scored by the evaluation weights (excellent at
    ``points.excellent_at``), earns points, may make the red or black list, and raises
    their effort when not rated excellent (see ``govsim.policies.evaluation``).
    """

    def __init__(self, scenario: Scenario) -> None:
        self.points = scenario.incentives.points
        self.weights = scenario.incentives.evaluation
        self.bonus = scenario.incentives.bonus
        self.satisfied_at = scenario.followup.satisfied_at

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

        Returns per worker: ``worker`` (id), ``points``, ``score``, ``excellent`` (bool),
        ``listed`` (+1 red list, −1 black list, 0 neither) and the new ``effort``.
        """
        tally = {name: np.array([w.tally[name] for w in workers], float) for name in TALLIES}
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
        excellent = score >= p.excellent_at - 1e-12
        listed = _lists(points, p.list_share)
        effort = np.array([wk.effort for wk in workers])
        effort += p.effort_step * self.bonus * ~excellent + p.black_list_push * (listed < 0)
        effort = np.minimum(effort, p.effort_max)
        for worker, value in zip(workers, effort.tolist(), strict=True):
            worker.effort = value
            worker.tally = dict.fromkeys(TALLIES, 0)
        return {
            "worker": np.array([wk.unique_id for wk in workers]),
            "points": points,
            "score": score,
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
