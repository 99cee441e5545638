"""The analytic formulas themselves, against closed forms, hand results and a Markov chain."""

from __future__ import annotations

import math

import numpy as np
import pytest

from govsim.analysis.queueing import erlang_c, jackson, min_servers_for_wait, mmc


def birth_death_stationary(lam: float, mu: float, c: int, size: int) -> np.ndarray:
    """Stationary law of the M/M/c queue-length chain truncated at ``size`` states.

    Built independently of Erlang B/C: the full generator Q (birth λ, death min(n, c)·μ)
    is solved as πQ = 0, Σπ = 1 by least squares on the stacked system.
    """
    q = np.zeros((size, size))
    for n in range(size - 1):
        q[n, n + 1] = lam
        q[n + 1, n] = min(n + 1, c) * mu
    q -= np.diag(q.sum(axis=1))
    system = np.vstack([q.T, np.ones(size)])
    rhs = np.zeros(size + 1)
    rhs[-1] = 1.0
    pi, *_ = np.linalg.lstsq(system, rhs, rcond=None)
    return pi


def chain_size(lam: float, mu: float, c: int) -> int:
    """States needed for the geometric tail ρ^(N−c) to fall below 1e-16."""
    rho = lam / (c * mu)
    return c + math.ceil(math.log(1e-16) / math.log(rho)) + 1


# ---------------------------------------------------------------- M/M/1 closed forms


@pytest.mark.parametrize(("lam", "mu"), [(0.5, 1.0), (0.9, 1.0), (1.0, 4.0), (3.0, 3.2)])
def test_mm1_closed_forms(lam: float, mu: float) -> None:
    rho = lam / mu
    m = mmc(lam, mu, 1)
    assert m.utilisation == pytest.approx(rho, rel=1e-12)
    assert m.p_wait == pytest.approx(rho, rel=1e-12)
    assert m.mean_wait == pytest.approx(rho / (mu - lam), rel=1e-12)
    assert m.mean_sojourn == pytest.approx(1.0 / (mu - lam), rel=1e-12)
    assert m.mean_queue_length == pytest.approx(rho**2 / (1 - rho), rel=1e-12)
    assert m.mean_in_system == pytest.approx(rho / (1 - rho), rel=1e-12)
    assert (m.arrival_rate, m.service_rate, m.servers) == (lam, mu, 1)


def test_no_arrivals_means_no_waiting() -> None:
    m = mmc(0.0, 2.0, 3)
    assert (m.p_wait, m.mean_wait, m.mean_in_system) == (0.0, 0.0, 0.0)
    assert m.mean_sojourn == 0.5
    assert erlang_c(1, 0.0) == 0.0


# ------------------------------------------------- Erlang C against the Markov chain

CHAIN_CASES = [
    (0.9, 1.0, 1),  # ρ = 0.9
    (0.3, 1.0, 1),
    (2.0, 1.0, 3),
    (2.7, 1.0, 3),  # ρ = 0.9
    (1.8, 0.5, 4),  # ρ = 0.9
    (4.5, 1.0, 5),  # ρ = 0.9
    (9.0, 1.0, 10),  # ρ = 0.9
    (6.0, 0.8, 10),
    (45.0, 1.0, 50),  # ρ = 0.9
    (30.0, 1.0, 50),
    (270.0, 1.0, 300),  # ρ = 0.9, a large pool
]


@pytest.mark.parametrize(("lam", "mu", "c"), CHAIN_CASES)
def test_erlang_c_matches_birth_death_chain(lam: float, mu: float, c: int) -> None:
    pi = birth_death_stationary(lam, mu, c, chain_size(lam, mu, c))
    n = np.arange(pi.size)
    p_wait = pi[c:].sum()  # PASTA: an arrival sees the stationary law
    lq = float(((n - c).clip(min=0) * pi).sum())
    busy = float((np.minimum(n, c) * pi).sum()) / c

    m = mmc(lam, mu, c)
    assert erlang_c(c, lam / mu) == pytest.approx(p_wait, rel=1e-9)
    assert m.p_wait == pytest.approx(p_wait, rel=1e-9)
    assert m.mean_queue_length == pytest.approx(lq, rel=1e-9)
    assert m.mean_wait == pytest.approx(lq / lam, rel=1e-9)
    assert m.mean_in_system == pytest.approx(float((n * pi).sum()), rel=1e-9)
    assert m.utilisation == pytest.approx(busy, rel=1e-9)


def test_erlang_c_is_stable_for_hundreds_of_servers() -> None:
    for c in (200, 500, 1000):
        p = erlang_c(c, 0.95 * c)
        assert 0.0 < p < 1.0 and math.isfinite(p)
    # more servers at the same load per server: less waiting
    assert erlang_c(1000, 950.0) < erlang_c(500, 475.0) < erlang_c(200, 190.0)


# ------------------------------------------------------------- textbook / hand values


def test_mm2_textbook_example() -> None:
    """c = 2, λ = 2/h, μ = 1.5/h: ρ = 2/3 and, from the M/M/2 closed forms
    C = 2ρ²/(1+ρ) = 8/15, Lq = 2ρ³/(1−ρ²) = 16/15, Wq = Lq/λ = 8/15 h,
    W = Wq + 1/μ = 6/5 h, L = λW = 12/5, P0 = (1−ρ)/(1+ρ) = 1/5."""
    m = mmc(2.0, 1.5, 2)
    assert m.utilisation == pytest.approx(2 / 3, rel=1e-14)
    assert m.p_wait == pytest.approx(8 / 15, rel=1e-14)
    assert m.mean_queue_length == pytest.approx(16 / 15, rel=1e-14)
    assert m.mean_wait == pytest.approx(8 / 15, rel=1e-14)
    assert m.mean_sojourn == pytest.approx(6 / 5, rel=1e-14)
    assert m.mean_in_system == pytest.approx(12 / 5, rel=1e-14)


def test_mm3_hand_value() -> None:
    """c = 3, a = 2: 1/P0 = 1 + 2 + 2 + (8/6)/(1/3) = 9, C = (8/6)·3·P0 = 4/9;
    with μ = 1/h, Wq = C/(3 − 2) = 4/9 h (the simulator's first M/M/c check)."""
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9, rel=1e-14)
    assert mmc(2.0, 1.0, 3).mean_wait == pytest.approx(4 / 9, rel=1e-14)


def test_erlang_c_small_exact_values() -> None:
    assert erlang_c(1, 0.5) == pytest.approx(0.5, rel=1e-15)  # M/M/1: C = ρ
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3, rel=1e-15)  # 2ρ²/(1+ρ), ρ = 1/2


# -------------------------------------------------------------------------- Jackson


def test_tandem_is_sum_of_mm1_sojourns() -> None:
    net = jackson([1.0, 0.0], [[0.0, 1.0], [0.0, 0.0]], [2.0, 3.0], [1, 1])
    assert net.arrival_rates == pytest.approx((1.0, 1.0), rel=1e-14)
    assert net.visits == pytest.approx((1.0, 1.0), rel=1e-14)
    expected = 1 / (2.0 - 1.0) + 1 / (3.0 - 1.0)
    assert net.mean_sojourn == pytest.approx(expected, rel=1e-12)
    assert net.nodes[0] == mmc(1.0, 2.0, 1)
    assert net.nodes[1] == mmc(1.0, 3.0, 1)


def test_single_node_feedback() -> None:
    """Feedback with probability p: λ = γ/(1 − p), 1/(1 − p) visits per customer."""
    gamma, p, mu = 0.6, 0.25, 1.0
    net = jackson([gamma], [[p]], [mu], [1])
    lam = gamma / (1 - p)
    rho = lam / mu
    assert net.arrival_rates[0] == pytest.approx(lam, rel=1e-14)
    assert net.visits[0] == pytest.approx(1 / (1 - p), rel=1e-14)
    assert net.mean_sojourn == pytest.approx(rho / (1 - rho) / gamma, rel=1e-12)


def test_feedback_network_traffic_equations_by_hand() -> None:
    """λ1 = 1 + 0.2λ2 + 0.1λ3, λ2 = 0.5 + 0.5λ1, λ3 = 0.3λ1 + 0.4λ2
    ⇒ λ1 = 1.12/0.85 = 112/85, λ2 = 197/170, λ3 = 73/85."""
    gamma = [1.0, 0.5, 0.0]
    routing = [[0.0, 0.5, 0.3], [0.2, 0.0, 0.4], [0.1, 0.0, 0.0]]
    mu, c = [1.0, 0.7, 0.5], [2, 2, 3]
    net = jackson(gamma, routing, mu, c)
    lam = np.array([112 / 85, 197 / 170, 73 / 85])
    assert net.arrival_rates == pytest.approx(tuple(lam), rel=1e-13)
    assert net.visits == pytest.approx(tuple(lam / 1.5), rel=1e-13)
    # flow balance: everything that enters leaves
    leave = 1 - np.sum(routing, axis=1)
    assert float(leave @ lam) == pytest.approx(1.5, rel=1e-13)
    for node, rate, m, k in zip(net.nodes, lam, mu, c, strict=True):
        assert node.mean_sojourn == pytest.approx(mmc(rate, m, k).mean_sojourn, rel=1e-12)
    # Little: Σ L_i / Σ γ equals Σ visits_i · W_i
    by_visits = sum(v * node.mean_sojourn for v, node in zip(net.visits, net.nodes, strict=True))
    assert net.mean_sojourn == pytest.approx(by_visits, rel=1e-12)


def escalation_network() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Nodes 0–19 grids, 20–24 communities (4 grids each), 25 the street, 26 the city."""
    n = 27
    gamma, routing = np.zeros(n), np.zeros((n, n))
    mu, c = np.zeros(n), np.zeros(n, dtype=int)
    gamma[:20] = 1.0
    mu[:20], c[:20] = 0.5, 3
    mu[20:25], c[20:25] = 0.25, 4
    mu[25], c[25] = 0.125, 6
    mu[26], c[26] = 1 / 24, 10
    for grid in range(20):
        routing[grid, 20 + grid // 4] = 0.15
    routing[20:25, 25] = 0.10
    routing[25, 26] = 0.05
    return gamma, routing, mu, c


def test_four_tier_escalation_network() -> None:
    gamma, routing, mu, c = escalation_network()
    net = jackson(gamma, routing, mu, c)
    tiers = {
        "grid": (slice(0, 20), 1.0, 2 / 3, 1.0),
        "community": (slice(20, 25), 0.6, 0.6, 0.15),
        "street": (slice(25, 26), 0.3, 0.4, 0.015),
        "city": (slice(26, 27), 0.015, 0.036, 0.00075),
    }
    lam = np.array(net.arrival_rates)
    rho = np.array([node.utilisation for node in net.nodes])
    visits = np.array(net.visits)
    for members, rate, util, tier_visits in tiers.values():
        assert lam[members] == pytest.approx(rate, rel=1e-12)
        assert rho[members] == pytest.approx(util, rel=1e-12)
        assert visits[members].sum() == pytest.approx(tier_visits, rel=1e-12)
    for i, node in enumerate(net.nodes):
        assert node == mmc(net.arrival_rates[i], mu[i], int(c[i]))
    total_l = sum(node.mean_in_system for node in net.nodes)
    assert net.mean_sojourn == pytest.approx(total_l / 20.0, rel=1e-12)
    # the bottom tier dominates: sojourn is a grid visit plus rare escalations
    assert net.mean_sojourn > net.nodes[0].mean_sojourn


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: erlang_c(3, 3.0), "unstable"),
        (lambda: erlang_c(2, 2.5), "unstable"),
        (lambda: erlang_c(0, 0.5), "servers"),
        (lambda: erlang_c(2, -0.1), "offered_load"),
        (lambda: erlang_c(2.5, 1.0), "servers"),  # type: ignore[arg-type]
        (lambda: mmc(3.0, 1.0, 3), "unstable"),
        (lambda: mmc(1.0, 0.0, 3), "service_rate"),
        (lambda: mmc(-1.0, 1.0, 3), "arrival_rate"),
        (lambda: mmc(float("nan"), 1.0, 3), "arrival_rate"),
    ],
)
def test_bad_queue_arguments_raise(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_networks_raise() -> None:
    ok = ([1.0, 0.0], [[0.0, 0.5], [0.0, 0.0]], [2.0, 2.0], [1, 1])
    jackson(*ok)
    with pytest.raises(ValueError, match=r"row 0 sums to 1.2"):
        jackson([1.0, 0.0], [[0.4, 0.8], [0.0, 0.0]], [2.0, 2.0], [1, 1])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        jackson([1.0, 0.0], [[0.0, -0.1], [0.0, 0.0]], [2.0, 2.0], [1, 1])
    with pytest.raises(ValueError, match="routing must have shape"):
        jackson([1.0, 0.0], [[0.0, 0.5, 0.0]], [2.0, 2.0], [1, 1])
    with pytest.raises(ValueError, match="service_rates must have shape"):
        jackson([1.0, 0.0], ok[1], [2.0], [1, 1])
    with pytest.raises(ValueError, match="servers must have shape"):
        jackson([1.0, 0.0], ok[1], ok[2], [1, 1, 1])
    with pytest.raises(ValueError, match="1-d"):
        jackson([[1.0, 0.0]], ok[1], ok[2], ok[3])
    with pytest.raises(ValueError, match="never leave"):
        jackson([1.0, 0.0], [[0.0, 1.0], [1.0, 0.0]], [5.0, 5.0], [1, 1])
    with pytest.raises(ValueError, match="all be zero"):
        jackson([0.0, 0.0], ok[1], ok[2], ok[3])
    with pytest.raises(ValueError, match="node 1: unstable"):
        jackson([1.0, 0.0], [[0.0, 0.9], [0.0, 0.0]], [2.0, 0.8], [1, 1])
    with pytest.raises(ValueError, match="node 0: servers"):
        jackson([1.0, 0.0], ok[1], ok[2], [0, 1])


# ----------------------------------------------------------------------- staffing


def brute_force_servers(lam: float, mu: float, target: float) -> int:
    c = 1
    while lam >= c * mu or mmc(lam, mu, c).mean_wait > target:
        c += 1
    return c


@pytest.mark.parametrize("lam", [0.3, 1.0, 4.5, 17.0, 120.0])
@pytest.mark.parametrize("mu", [0.125, 0.5, 1.0, 3.0])
@pytest.mark.parametrize("target", [0.001, 0.05, 0.5, 4.0, 100.0])
def test_min_servers_matches_brute_force(lam: float, mu: float, target: float) -> None:
    c = min_servers_for_wait(lam, mu, target)
    assert c == brute_force_servers(lam, mu, target)
    assert mmc(lam, mu, c).mean_wait <= target
    if c > 1 and lam < (c - 1) * mu:
        assert mmc(lam, mu, c - 1).mean_wait > target


def test_min_servers_edge_cases() -> None:
    assert min_servers_for_wait(0.0, 1.0, 0.0) == 1
    assert min_servers_for_wait(2.0, 1.0, 1e9) == 3  # the smallest stable pool
    with pytest.raises(ValueError, match="max_mean_wait"):
        min_servers_for_wait(1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="max_mean_wait"):
        min_servers_for_wait(1.0, 1.0, -1.0)
    with pytest.raises(ValueError, match="service_rate"):
        min_servers_for_wait(1.0, 0.0, 1.0)
