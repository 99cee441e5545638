"""Analytic queueing results the simulator is validated against.

Units throughout: rates are per hour, times are in hours, lengths are numbers of
customers (incidents). One office with ``c`` identical staff, Poisson arrivals and
exponential handling is an M/M/c queue (Erlang C); offices that hand work on to each
other at random form an open Jackson network, in which every node behaves as an
independent M/M/c queue fed at the rate given by the traffic equations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "JacksonResult",
    "QueueMetrics",
    "erlang_c",
    "jackson",
    "min_servers_for_wait",
    "mmc",
]


def _check_servers(servers: int) -> int:
    """``servers`` as a Python int, or ValueError unless it is an integer >= 1."""
    if isinstance(servers, bool) or not float(servers).is_integer() or servers < 1:
        raise ValueError(f"servers must be an integer >= 1, got {servers!r}")
    return int(servers)


def _check_rate(name: str, value: float, *, positive: bool) -> float:
    """``value`` as a float, or ValueError unless finite and > 0 (or >= 0)."""
    value = float(value)
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
    return value


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival has to wait in an M/M/c queue (Erlang C).

    ``offered_load`` is a = λ/μ in erlangs (arrival rate per hour over service rate
    per hour, so dimensionless); ``servers`` is c. With the Erlang B recursion

        B(0) = 1,   B(k) = a·B(k-1) / (k + a·B(k-1)),

    the result is C(c, a) = c·B(c) / (c − a·(1 − B(c))). Every step stays in [0, 1],
    so this is stable for c in the thousands (no factorials or powers of a).

    Returns a probability in [0, 1). Raises ValueError if c < 1, a < 0 or a >= c
    (the queue would grow without bound).
    """
    c = _check_servers(servers)
    a = _check_rate("offered_load", offered_load, positive=False)
    if a >= c:
        raise ValueError(
            f"unstable queue: offered load a = λ/μ = {a:g} must be below servers c = {c}"
        )
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1.0 - b))


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state figures of one M/M/c queue.

    Rates per hour, times in hours, lengths in customers:

    - ``utilisation`` ρ = λ / (cμ), the mean fraction of busy servers;
    - ``p_wait`` = C(c, λ/μ), the probability that an arrival waits (Erlang C);
    - ``mean_wait`` Wq = C / (cμ − λ), the mean time in queue before service;
    - ``mean_sojourn`` W = Wq + 1/μ, the mean time in the system;
    - ``mean_queue_length`` Lq = λ·Wq and ``mean_in_system`` L = λ·W (Little's law).
    """

    arrival_rate: float
    service_rate: float
    servers: int
    utilisation: float
    p_wait: float
    mean_wait: float
    mean_sojourn: float
    mean_queue_length: float
    mean_in_system: float


def mmc(arrival_rate: float, service_rate: float, servers: int) -> QueueMetrics:
    """Steady-state metrics of an M/M/c queue.

    ``arrival_rate`` λ and ``service_rate`` μ (per server) are per hour; ``servers``
    is c. Returns a ``QueueMetrics`` with ρ = λ/(cμ), C = Erlang C(c, λ/μ),
    Wq = C/(cμ − λ), W = Wq + 1/μ, Lq = λWq and L = λW (times in hours).
    Raises ValueError for λ < 0, μ <= 0, c < 1 or λ >= cμ.
    """
    lam = _check_rate("arrival_rate", arrival_rate, positive=False)
    mu = _check_rate("service_rate", service_rate, positive=True)
    c = _check_servers(servers)
    if lam >= c * mu:
        raise ValueError(
            f"unstable queue: arrival rate λ = {lam:g}/h must be below c·μ = {c * mu:g}/h"
        )
    p_wait = erlang_c(c, lam / mu)
    wq = p_wait / (c * mu - lam)
    w = wq + 1.0 / mu
    return QueueMetrics(
        arrival_rate=lam,
        service_rate=mu,
        servers=c,
        utilisation=lam / (c * mu),
        p_wait=p_wait,
        mean_wait=wq,
        mean_sojourn=w,
        mean_queue_length=lam * wq,
        mean_in_system=lam * w,
    )


@dataclass(frozen=True)
class JacksonResult:
    """Steady state of an open Jackson network of M/M/c nodes.

    - ``nodes``: one ``QueueMetrics`` per node, fed at its total arrival rate λ_i;
    - ``arrival_rates``: λ_i per hour, the solution of λ = γ + Pᵀλ;
    - ``visits``: λ_i / Σγ, the expected number of visits to node i per external
      customer;
    - ``mean_sojourn``: Σ L_i / Σ γ_i hours, the mean time an external customer spends
      in the network from arrival to departure (Little's law); it also equals
      Σ visits_i · W_i.
    """

    nodes: tuple[QueueMetrics, ...]
    arrival_rates: tuple[float, ...]
    visits: tuple[float, ...]
    mean_sojourn: float


def jackson(
    external_rates: ArrayLike,
    routing: ArrayLike,
    service_rates: ArrayLike,
    servers: ArrayLike | Sequence[int],
) -> JacksonResult:
    """Solve an open Jackson network of n M/M/c nodes.

    ``external_rates`` γ (length n, per hour) are the Poisson arrivals from outside;
    ``routing`` P (n×n) holds P[i, j], the probability that a customer finishing at i
    goes next to j (each row sums to at most 1; the rest leaves the network);
    ``service_rates`` μ (per server, per hour) and ``servers`` c are per node.

    The node arrival rates solve the traffic equations λ = γ + Pᵀλ, i.e.
    (I − Pᵀ)λ = γ; each node is then an M/M/c queue with arrival rate λ_i, and the
    mean time in the network per external customer is W = Σ L_i / Σ γ_i.

    Returns a ``JacksonResult``. Raises ValueError for mismatched shapes, negative or
    non-finite rates, routing entries outside [0, 1] or row sums above 1, routing in
    which some customers never leave, no external arrivals, or an unstable node
    (λ_i >= c_i μ_i).
    """
    gamma = np.asarray(external_rates, dtype=float)
    p = np.asarray(routing, dtype=float)
    mu = np.asarray(service_rates, dtype=float)
    c = np.asarray(servers)
    if gamma.ndim != 1:
        raise ValueError(f"external_rates must be a 1-d array, got shape {gamma.shape}")
    n = gamma.size
    if p.shape != (n, n):
        raise ValueError(
            f"routing must have shape ({n}, {n}) to match external_rates, got {p.shape}"
        )
    for name, arr in (("service_rates", mu), ("servers", c)):
        if arr.shape != (n,):
            raise ValueError(
                f"{name} must have shape ({n},) to match external_rates, got {arr.shape}"
            )
    if not np.all(np.isfinite(gamma)) or np.any(gamma < 0):
        raise ValueError("external_rates must be finite and >= 0")
    if gamma.sum() <= 0:
        raise ValueError("external_rates must not all be zero: an open network needs arrivals")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise ValueError("routing probabilities must lie in [0, 1]")
    row_sums = p.sum(axis=1)
    if np.any(row_sums > 1.0 + 1e-12):
        bad = int(np.argmax(row_sums))
        raise ValueError(f"routing row {bad} sums to {row_sums[bad]:g} > 1")
    if n and np.max(np.abs(np.linalg.eigvals(p))) >= 1.0 - 1e-12:
        raise ValueError("routing traps customers: some never leave the network (not open)")

    lam = np.linalg.solve(np.eye(n) - p.T, gamma)
    lam = np.clip(lam, 0.0, None)  # remove round-off below zero
    nodes: list[QueueMetrics] = []
    for i in range(n):
        try:
            nodes.append(mmc(lam[i], mu[i], c[i]))
        except ValueError as err:
            raise ValueError(f"node {i}: {err}") from None
    total = float(gamma.sum())
    return JacksonResult(
        nodes=tuple(nodes),
        arrival_rates=tuple(float(x) for x in lam),
        visits=tuple(float(x) / total for x in lam),
        mean_sojourn=sum(node.mean_in_system for node in nodes) / total,
    )


def min_servers_for_wait(arrival_rate: float, service_rate: float, max_mean_wait: float) -> int:
    """Smallest number of servers c for which an M/M/c queue meets a mean-wait target.

    ``arrival_rate`` λ and ``service_rate`` μ are per hour, ``max_mean_wait`` is in
    hours. Returns the least c with λ < cμ and Wq(c) = C(c, λ/μ)/(cμ − λ) <=
    ``max_mean_wait``; Wq falls as c grows, so the search walks up from the smallest
    stable c, extending the Erlang B recursion one server at a time.
    Raises ValueError for λ < 0, μ <= 0 or a negative target, and for a zero target
    when λ > 0 (every finite c has Wq > 0).
    """
    lam = _check_rate("arrival_rate", arrival_rate, positive=False)
    mu = _check_rate("service_rate", service_rate, positive=True)
    target = _check_rate("max_mean_wait", max_mean_wait, positive=False)
    if lam == 0:
        return 1
    if target == 0:
        raise ValueError("max_mean_wait must be > 0 when arrival_rate > 0")
    a = lam / mu
    b, c = 1.0, 0
    while True:
        c += 1
        b = a * b / (c + a * b)  # Erlang B for c servers, as in erlang_c
        if lam < c * mu and a < c:
            wq = c * b / (c - a * (1.0 - b)) / (c * mu - lam)
            if wq <= target:
                return c
