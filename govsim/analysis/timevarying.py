"""A queue with a daily cycle: hour-by-hour arrival rates and servers, and its approximations.

An M_t/M/c_t queue whose arrival rate λ(t) and server count c(t) are constant within
each hour of the day and repeat every day, with exponential service at rate μ per server.
No closed form gives its mean wait hour by hour; two standard approximations do, where
the queue keeps up with the changes (Green, Kolesar and Whitt 2007, "Coping with
time-varying demand when setting staffing requirements", POM 16(1)):

- **pointwise-stationary (PSA)**: hour h behaves as a stationary M/M/c at that hour's
  λ_h and c_h (Erlang C);
- **modified offered load (MOL)**: Erlang C at c_h with the offered load m(t) of the
  same arrivals to infinitely many servers, m'(t) = λ(t) − μ m(t), in place of λ(t)/μ —
  the load lags the arrivals by about a service time.

Both assume the queue is in equilibrium with the current servers, so neither holds
right after c changes (a backlog built under one crew is worked off by the next), nor for
arrivals shortly before a change (their wait runs into the next crew's hours).
``expected_to_hold`` marks the hours away from such changes. Rates are per hour, times
in hours, hours of the day 0–23.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govsim.analysis import queueing

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class DailyQueue:
    """An M_t/M/c_t queue with a daily cycle.

    ``arrival_rates[h]`` is λ in hour h of the day (per hour) and ``servers[h]`` the
    servers on duty then (24 values each); ``service_rate`` is μ per server per hour.
    """

    arrival_rates: tuple[float, ...]
    servers: tuple[int, ...]
    service_rate: float

    def __post_init__(self) -> None:
        if len(self.arrival_rates) != HOURS_PER_DAY or len(self.servers) != HOURS_PER_DAY:
            raise ValueError("arrival_rates and servers need one value per hour of the day")
        if self.service_rate <= 0 or min(self.arrival_rates) < 0 or min(self.servers) < 1:
            raise ValueError("need μ > 0, λ ≥ 0 and at least one server in every hour")

    def shifts(self) -> tuple[float, list[tuple[float, int]]]:
        """The server schedule as crews: the hour the first crew starts, and each crew's
        (end hour counted from that start, servers), one crew per run of equal counts.

        The cycle starts at a change of count, so that no crew is split at midnight.
        """
        changes = [h for h in range(HOURS_PER_DAY) if self.servers[h] != self.servers[h - 1]]
        first = changes[0] if changes else 0
        ends = [(h - first) % HOURS_PER_DAY for h in changes[1:]] + [HOURS_PER_DAY]
        return float(first), [
            (float(end), self.servers[(first + end - 1) % HOURS_PER_DAY]) for end in ends
        ]


def _mmc_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Erlang C mean wait (h), or infinity where the queue would be unstable."""
    if arrival_rate >= servers * service_rate:
        return float("inf")
    return queueing.mmc(arrival_rate, service_rate, servers).mean_wait


def psa_waits(queue: DailyQueue) -> np.ndarray:
    """Pointwise-stationary mean wait (h) for each hour: Erlang C at λ_h, μ and c_h."""
    return np.array(
        [
            _mmc_wait(lam, queue.service_rate, c)
            for lam, c in zip(queue.arrival_rates, queue.servers, strict=True)
        ]
    )


def mol_offered_load(queue: DailyQueue, points_per_hour: int = 60) -> np.ndarray:
    """The periodic offered load m(t) (erlangs) at the midpoints of ``points_per_hour``
    steps of each hour, shape (24, points_per_hour).

    m solves m'(t) = λ(t) − μ m(t); within hour h (λ constant) it relaxes towards λ_h/μ,
    m(h + s) = λ_h/μ + (m(h) − λ_h/μ)·e^(−μ s). The daily cycle's start value m(0) is the
    fixed point of one day's map, m(0) = Σ_h (λ_h/μ)(1 − e^(−μ))·e^(−μ(23 − h)) /
    (1 − e^(−24μ)).
    """
    mu = queue.service_rate
    target = np.asarray(queue.arrival_rates) / mu
    decay = np.exp(-mu)
    start = float((target * (1 - decay) * decay ** np.arange(HOURS_PER_DAY - 1, -1, -1)).sum())
    start /= 1 - decay**HOURS_PER_DAY
    offsets = (np.arange(points_per_hour) + 0.5) / points_per_hour
    load = np.empty((HOURS_PER_DAY, points_per_hour))
    for hour in range(HOURS_PER_DAY):
        load[hour] = target[hour] + (start - target[hour]) * np.exp(-mu * offsets)
        start = target[hour] + (start - target[hour]) * decay
    return load


def mol_waits(queue: DailyQueue, points_per_hour: int = 60) -> np.ndarray:
    """Modified-offered-load mean wait (h) for each hour: Erlang C at c_h with the
    arrival rate μ·m(t), averaged over the hour (arrivals are uniform within an hour).
    Infinity where m(t) ≥ c_h at some point of the hour (MOL then has no answer)."""
    mu = queue.service_rate
    load = mol_offered_load(queue, points_per_hour)
    return np.array(
        [
            np.mean([_mmc_wait(mu * m, mu, queue.servers[hour]) for m in load[hour]])
            for hour in range(HOURS_PER_DAY)
        ]
    )


def relaxation_h(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Relaxation time (h) of an M/M/c queue, 1/(√(cμ) − √λ)²: the M/M/1's (Morse 1955)
    with the c servers pooled into one of rate cμ — how long the queue takes to forget
    where it started, a heuristic for c > 1. Infinity where λ ≥ cμ."""
    gap = np.sqrt(servers * service_rate) - np.sqrt(arrival_rate)
    return float(1.0 / gap**2) if gap > 0 else float("inf")


def _unchanged_for(values: tuple[float, ...], hour: int) -> float:
    """Hours since ``values`` (a daily cycle) last changed, at the start of ``hour``."""
    back = 0
    while back < HOURS_PER_DAY and values[(hour - back - 1) % HOURS_PER_DAY] == values[hour]:
        back += 1
    return float(back)


def expected_to_hold(queue: DailyQueue, tolerance: float = 0.05, after_h: int = 1) -> np.ndarray:
    """The hours (a boolean mask of 24) where PSA and MOL are expected to hold.

    A queue forgets where it started like e^(−t/τ), τ its relaxation time
    (``relaxation_h`` at λ_h, μ, c_h). Hour h qualifies when the arrival rate and the
    servers have stayed as they are for τ·ln(1/``tolerance``) before the hour starts (the
    gap left from the last change is below ``tolerance`` of what it was) and the servers
    stay as they are for ``after_h`` hours after it ends (an arrival late in the hour is
    still waiting then). A changed arrival rate matters only before the hour: under
    first-come first-served later arrivals do not delay earlier ones. Where λ and c never
    change, every hour qualifies.
    """
    servers = tuple(float(c) for c in queue.servers)
    mask = np.zeros(HOURS_PER_DAY, dtype=bool)
    for hour in range(HOURS_PER_DAY):
        settled = min(_unchanged_for(queue.arrival_rates, hour), _unchanged_for(servers, hour))
        tau = relaxation_h(queue.arrival_rates[hour], queue.service_rate, queue.servers[hour])
        stays = all(
            servers[(hour + k) % HOURS_PER_DAY] == servers[hour] for k in range(after_h + 1)
        )
        mask[hour] = stays and (settled >= HOURS_PER_DAY or settled >= tau * np.log(1 / tolerance))
    return mask


def hourly_means(arrivals_h: np.ndarray, waits_h: np.ndarray) -> np.ndarray:
    """Mean wait (h) by hour of the day of arrival (24 values; NaN for an hour with none).

    ``arrivals_h`` are arrival times in hours from a midnight, ``waits_h`` the waits.
    """
    hours = (np.asarray(arrivals_h) % HOURS_PER_DAY).astype(int)
    counts = np.bincount(hours, minlength=HOURS_PER_DAY)
    totals = np.bincount(hours, np.asarray(waits_h, dtype=float), minlength=HOURS_PER_DAY)
    with np.errstate(invalid="ignore", divide="ignore"):
        return totals / counts
