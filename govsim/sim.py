"""``Sim`` and ``Comparison``: one run, or policies over replications, in three lines.

    sim = Sim("demo", policy="whistle_and_report", seed=1, days=180).run()
    sim.outcomes()            # the compared outcomes of this run (a pandas Series)
    sim.plot("out/run.png")   # backlog over time and resolution times by tier

    comparison = Comparison("demo", ["status_quo", "whistle_and_report"], reps=5).run()
    comparison.table()        # means with 95% CIs and paired differences
    comparison.plot()

A scenario is a file path, an already loaded ``Scenario`` or the name of a shipped one
(``demo``, a seed preset such as ``kongtong``, ``theory/mmc``); a policy is a name in
``policies/``, a file, or ``None`` for the scenario as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from govsim.analysis.comparison import OUTCOMES, compare, outcomes
from govsim.engine.model import simulate
from govsim.errors import GovsimError
from govsim.frames import ReadableFrame, ReadableSeries
from govsim.policies.files import STATUS_QUO, Policy, check_distinct, load_policy
from govsim.record.ledger import Ledger
from govsim.record.metrics import summarize
from govsim.world.scenario import Scenario, load_scenario, scenario_path
from govsim.world.window import check_days

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _load(
    scenario: str | Path | Scenario, policy: Policy, overrides: Mapping[str, Any]
) -> Scenario:
    """``scenario`` validated, with ``policy`` and ``overrides`` laid over it."""
    if isinstance(scenario, Scenario):
        if policy.sections or overrides:
            raise GovsimError(
                "a loaded Scenario takes no policy or overrides: pass its file instead"
            )
        return scenario
    return load_scenario(scenario, overrides, policy.sections, policy.source)


def _label(scenario: str | Path | Scenario) -> str:
    return scenario.name if isinstance(scenario, Scenario) else Path(scenario).stem


class Sim:
    """One simulation of a scenario under a policy: ``Sim(...).run()``, then read it.

    ``days`` is the whole run in days (default: the scenario's ``run.days``): its first
    ``run.warmup_days`` (at most half of it) are warm-up, excluded from the outcomes, and
    the drain comes on top (``govsim.world.window``). ``overrides`` maps dotted parameter paths
    (``govsim params``) to values, laid over the policy. After ``run()``, ``ledger`` holds
    every state change of every incident and the other methods read from it.
    """

    def __init__(
        self,
        scenario: str | Path | Scenario,
        policy: str | Path | None = None,
        *,
        seed: int = 0,
        days: float | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self.policy = load_policy(policy) if policy is not None else STATUS_QUO
        self.scenario = _load(scenario, self.policy, overrides or {})
        self.seed = seed
        self.days = check_days(days) if days is not None else None
        self._ledger: Ledger | None = None
        self._summary: dict[str, Any] | None = None

    def run(self) -> Sim:
        """Simulate (once; a second call does nothing) and return this ``Sim``."""
        if self._ledger is None:
            self._ledger = simulate(self.scenario, seed=self.seed, days=self.days)
        return self

    @property
    def ledger(self) -> Ledger:
        """Every state change of the run (``govsim.record.ledger.Ledger``); runs it if needed."""
        return self.run()._ledger  # type: ignore[return-value]

    def summary(self) -> dict[str, Any]:
        """The run's full summary (``govsim.record.metrics.summarize``): resolution time (h),
        escalation, per-tier waits and utilisation, satisfaction, trust, staff cost …"""
        if self._summary is None:
            self._summary = summarize(self.ledger)
        return self._summary

    def outcomes(self) -> ReadableSeries:
        """The compared outcomes (``analysis.comparison.OUTCOMES``), indexed by their labels
        (a Series that prints its numbers readably: ``1,958,400``, not ``1.958400e+06``)."""
        values = outcomes(self.summary())
        return ReadableSeries(
            {OUTCOMES[name][0]: value for name, value in values.items()},
            name=f"{self.scenario.name} / {self.policy.name} / seed {self.seed}",
        )

    def plot(self, path: str | Path | None = None) -> Figure | Path:
        """The run's figure (backlog over time, resolution time by closing tier): saved to
        ``path`` (PNG, SVG or PDF) and the path returned, or returned as a ``Figure``."""
        from govsim.plots.figures import run_figure, save_figure

        fig = run_figure(self.ledger, self.policy.name)
        return save_figure(fig, path) if path is not None else fig


class Comparison:
    """Policies on one scenario over ``reps`` replications on shared seeds.

    Replication k of every policy runs on seed ``seed + k`` (common random numbers), so
    ``table()`` pairs each policy with the first one replication by replication.
    ``executor`` is ``serial``, ``processes`` or ``dask`` (``govsim.experiments.executors``) with
    ``workers`` processes. After ``run()``, ``runs`` has one row per run.
    """

    def __init__(
        self,
        scenario: str | Path,
        policies: Sequence[str | Path],
        *,
        reps: int = 5,
        seed: int = 0,
        days: float | None = None,
        overrides: Mapping[str, Any] | None = None,
        executor: str = "serial",
        workers: int | None = None,
    ) -> None:
        if not policies:
            raise GovsimError("a comparison needs at least one policy")
        if reps < 2:
            raise GovsimError(f"reps={reps}: a comparison needs 2 or more (a CI needs 2)")
        self.scenario = scenario_path(scenario)
        self.policies = [load_policy(p) for p in policies]
        check_distinct(self.policies)
        self.overrides = dict(overrides or {})
        for policy in self.policies:  # refuse a bad file before anything runs
            _load(self.scenario, policy, self.overrides)
        self.reps, self.seed = reps, seed
        self.days = check_days(days) if days is not None else None
        self.executor, self.workers = executor, workers
        self.runs: pd.DataFrame | None = None

    def run(self, progress: bool = True) -> Comparison:
        """Run every policy × replication (once) with a progress bar; returns ``self``."""
        if self.runs is None:
            from govsim.experiments.executors import open_executor
            from govsim.experiments.run import policy_runs, run_all

            runs = policy_runs(
                self.scenario, self.policies, self.reps, self.seed, self.days, self.overrides
            )
            with open_executor(self.executor, self.workers) as executor:
                self.runs = run_all(runs, progress, executor)
        return self

    def table(self, level: float = 0.95) -> ReadableFrame:
        """Per policy and outcome: mean, CI (``low``, ``high``) and the paired difference
        to the first policy (``diff``, ``diff_low``, ``diff_high``) at ``level``; it prints
        every column, numbers readable (``govsim.frames``), and ``to_csv`` / ``to_excel``
        save it as it is."""
        return compare(self.run(progress=False).runs, self.policies[0].name, level)

    def plot(
        self, path: str | Path | None = None, level: float = 0.95, paired: bool = False
    ) -> Figure | list[Path]:
        """The comparison's figures (``govsim.plots.comparison``): each policy's mean with
        its CI as small multiples, and a forest plot of each policy's paired difference to
        the first one with its CI. With ``path`` both are saved (the differences to
        ``PATH_differences.png``) and the saved paths returned; without it the means figure
        is returned as a ``Figure`` (with ``paired``: the differences figure)."""
        from govsim.plots.comparison import differences_figure, means_figure, plot_comparison

        table, scenario = self.table(level), _label(self.scenario)
        if path is not None:
            return plot_comparison(table, path, scenario=scenario, level=level)
        draw = differences_figure if paired else means_figure
        return draw(table, scenario=scenario, level=level)
