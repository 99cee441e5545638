"""The engine against queueing theory, with confidence intervals from replications.

With behaviour switched off (instant reports, no travel, no worsening, exponential
handling, Poisson occurrences) a scenario is a queueing network: one grid is an M/M/c
queue (Erlang C) and a tiered escalation city is an open Jackson network of M/M/c
offices. ``theory_report`` runs such scenarios over independent replications and
compares each simulated quantity with its analytic value inside a t-based confidence
interval; the intervals are Bonferroni-adjusted so that the whole table holds at a
95% family-wise level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from govsim import shipped
from govsim.analysis import queueing
from govsim.engine.model import simulate
from govsim.record.ledger import Ledger
from govsim.record.metrics import tier_table
from govsim.stats import mean_ci
from govsim.world.geography import scenario_map
from govsim.world.scenario import HOURS_PER_YEAR, Scenario, load_scenario

THEORY_DIR = shipped.folder("scenarios") / "theory"

#: (λ per hour, servers c, μ per hour): light, moderate and heavy (ρ = 0.9) load.
MMC_CASES: tuple[tuple[float, int, float], ...] = (
    (2.0, 3, 1.0),
    (0.9, 1, 1.0),
    (4.5, 5, 1.0),
    (1.8, 4, 0.5),
)


def mmc_scenario(arrival_rate: float, servers: int, service_rate: float) -> Scenario:
    """The M/M/c theory scenario set to λ (per h), c and μ (per h)."""
    base = load_scenario(THEORY_DIR / "mmc.yaml")
    households = base.map.households_per_cell
    return load_scenario(
        THEORY_DIR / "mmc.yaml",
        {
            "incidents.request.rate": arrival_rate * HOURS_PER_YEAR / households,
            "staffing.grid_workers_per_grid": servers,
            "incidents.request.handling.default.mean_h": 1.0 / service_rate,
        },
    )


def grid_tier(ledgers: list[Ledger], column: str) -> np.ndarray:
    """One value per replication of a per-tier column, for the cell tier."""
    return np.array([tier_table(ledger)[column].iloc[0] for ledger in ledgers])


#: A model error the checks must be able to see: every rate off by this factor.
RIVAL_FACTOR = 1.2


@dataclass(frozen=True)
class TheoryCheck:
    """One simulated quantity, per replication, next to its analytic value.

    ``rivals`` are the analytic values of wrong models (a rate off by ``RIVAL_FACTOR``
    either way); an interval that cannot exclude them would pass a broken engine.
    """

    check: str
    quantity: str
    theory: float
    values: np.ndarray
    rivals: tuple[float, ...] = ()


def _scaled(value: float) -> tuple[float, float]:
    return value * RIVAL_FACTOR, value / RIVAL_FACTOR


def _wait_or_inf(arrival_rate: float, service_rate: float, servers: int) -> float:
    try:
        return queueing.mmc(arrival_rate, service_rate, servers).mean_wait
    except ValueError:  # unstable: the wait grows without bound
        return float("inf")


def compare_mmc(
    arrival_rate: float, servers: int, service_rate: float, reps: int, days: float
) -> list[TheoryCheck]:
    """Mean wait and utilisation of one grid vs Erlang C, over ``reps`` replications."""
    scenario = mmc_scenario(arrival_rate, servers, service_rate)
    ledgers = [simulate(scenario, seed=seed, days=days) for seed in range(reps)]
    exact = queueing.mmc(arrival_rate, service_rate, servers)
    label = f"M/M/{servers} λ={arrival_rate:g} μ={service_rate:g} ρ={exact.utilisation:.2f}"
    rival_waits = tuple(_wait_or_inf(arrival_rate, mu, servers) for mu in _scaled(service_rate))
    return [
        TheoryCheck(
            label, "mean wait h", exact.mean_wait, grid_tier(ledgers, "mean_wait_h"), rival_waits
        ),
        TheoryCheck(
            label,
            "utilisation",
            exact.utilisation,
            grid_tier(ledgers, "utilisation"),
            _scaled(exact.utilisation),
        ),
    ]


def jackson_theory(scenario: Scenario, handling_scale: float = 1.0) -> pd.DataFrame:
    """Analytic per-tier figures of a behaviour-off tiered scenario with one incident type.

    Offices are the nodes; each grid receives ``households × rate / 8760`` per hour;
    a visit at rank r is handed up with probability P(level > r | level ≥ r); handling
    means are multiplied by ``handling_scale``. Returns, per tier (bottom up), the
    arrival rate, the visit-weighted mean sojourn and ρ.
    """
    (kind,) = scenario.incidents.values()
    grid_map = scenario_map(scenario.map)
    tiers = list(reversed(scenario.tiers))
    share = np.array([kind.resolvable_at.get(t, 0.0) for t in tiers])
    reach = share[::-1].cumsum()[::-1]  # P(level >= r)
    up = np.divide(reach[1:], reach[:-1], out=np.zeros(len(tiers) - 1), where=reach[:-1] > 0)
    nodes = [
        (rank, tier, region)
        for rank, tier in enumerate(tiers)
        for region in range(grid_map.region_counts[len(tiers) - 1 - rank])
    ]
    index = {(rank, region): i for i, (rank, _, region) in enumerate(nodes)}
    n = len(nodes)
    routing, external, mu = np.zeros((n, n)), np.zeros(n), np.zeros(n)
    servers = np.zeros(n, dtype=int)
    for i, (rank, tier, region) in enumerate(nodes):
        level = len(tiers) - 1 - rank
        handling = kind.handling.get(tier, kind.handling.get("default"))
        mu[i] = 1.0 / (handling.mean_h * handling_scale)
        staffing = scenario.staffing
        servers[i] = staffing.grid_workers_per_grid if rank == 0 else staffing.office_staff[tier]
        if rank == 0:
            external[i] = grid_map.households[region] * kind.rate / HOURS_PER_YEAR
        if rank + 1 < len(tiers):
            routing[i, index[(rank + 1, grid_map.parent(level, region))]] = up[rank]
    net = queueing.jackson(external, routing, mu, servers)
    rows = []
    for rank, tier in enumerate(tiers):
        members = [i for i, node in enumerate(nodes) if node[0] == rank]
        lam = np.array([net.nodes[i].arrival_rate for i in members])
        sojourn = np.array([net.nodes[i].mean_sojourn for i in members])
        busy = np.array([net.nodes[i].utilisation * servers[i] for i in members])
        rows.append(
            {
                "tier": tier,
                "arrivals_per_h": lam.sum(),
                "mean_sojourn_h": float((lam * sojourn).sum() / lam.sum()),
                "utilisation": float(busy.sum() / servers[members].sum()),
            }
        )
    return pd.DataFrame(rows).set_index("tier")


JACKSON_QUANTITIES = {
    "mean_sojourn_h": "mean sojourn h",
    "arrivals_per_h": "arrivals per h",
    "utilisation": "utilisation",
}


def compare_jackson(reps: int, days: float) -> list[TheoryCheck]:
    """Per-tier mean sojourn, arrival rate and utilisation of the Jackson scenario vs theory."""
    scenario = load_scenario(THEORY_DIR / "jackson.yaml")
    exact = jackson_theory(scenario)
    # a model whose handling is 20% slower or faster (faster only where it stays stable)
    slower, faster = (jackson_theory(scenario, f) for f in (RIVAL_FACTOR, 1 / RIVAL_FACTOR))
    tables = [tier_table(simulate(scenario, seed=seed, days=days)) for seed in range(reps)]
    comparisons = []
    for tier, expected in exact.iterrows():
        rivals = {
            "mean_sojourn_h": (
                slower.loc[tier, "mean_sojourn_h"],
                faster.loc[tier, "mean_sojourn_h"],
            ),
            "arrivals_per_h": _scaled(expected["arrivals_per_h"]),
            "utilisation": _scaled(expected["utilisation"]),
        }
        for column, quantity in JACKSON_QUANTITIES.items():
            values = np.array([table.loc[tier, column] for table in tables])
            comparisons.append(
                TheoryCheck(
                    f"Jackson {tier}", quantity, float(expected[column]), values, rivals[column]
                )
            )
    return comparisons


def judge(comparisons: list[TheoryCheck], family_level: float = 0.95) -> pd.DataFrame:
    """Each comparison's mean and CI, Bonferroni-adjusted to ``family_level`` over all rows."""
    level = 1.0 - (1.0 - family_level) / len(comparisons)
    rows = []
    for comp in comparisons:
        interval = mean_ci(comp.values, level)
        rows.append(
            {
                "check": comp.check,
                "quantity": comp.quantity,
                "theory": comp.theory,
                "mean": interval.mean,
                "low": interval.low,
                "high": interval.high,
                "within_ci": interval.contains(comp.theory),
                "rivals_excluded": not any(interval.contains(r) for r in comp.rivals),
            }
        )
    return pd.DataFrame(rows)


def theory_report(reps: int = 10, days: float = 365.0, family_level: float = 0.95) -> pd.DataFrame:
    """Every theory check in one table, at a Bonferroni-adjusted family-wise level."""
    comparisons = [c for case in MMC_CASES for c in compare_mmc(*case, reps=reps, days=days)]
    comparisons += compare_jackson(reps=reps, days=days)
    return judge(comparisons, family_level)
