"""The daily-cycle queue in Ciw, the peer simulator govsim is checked against.

Ciw (Palmer, Knight, Harper and Hawa 2019, Journal of Simulation 13(1)) gives the
hourly arrival rates as ``ciw.dists.PoissonIntervals`` and the servers as a
``ciw.Schedule``. Its schedule is
not pre-emptive: at every change of shift the whole crew goes off duty — the free at
once, the busy when their customer is done — and the next shift's servers come on, so
just after a change the leaving crew's last customers are served beside the new crew.
That is also true at the end of Ciw's schedule cycle: a cycle from midnight with the
night crew on both ends would hand over to a fresh night crew at 00:00, so the cycle
starts when a crew does.
Ciw is an optional dependency (the ``bench`` and ``dev`` extras).
"""

from __future__ import annotations

import numpy as np

from govsim.analysis.timevarying import HOURS_PER_DAY, DailyQueue, hourly_means
from govsim.errors import GovsimError

#: Days the Ciw run goes on after the last arrival, so every customer is done.
DRAIN_DAYS = 2


def _ciw():
    try:
        import ciw
    except ImportError:
        raise GovsimError(
            "the Ciw side-by-side check needs Ciw: pip install 'govsim[bench]'"
        ) from None
    return ciw


def ciw_available() -> bool:
    """Whether Ciw can be imported."""
    try:
        _ciw()
    except GovsimError:
        return False
    return True


def ciw_hourly_waits(
    queue: DailyQueue,
    days: float,
    warmup_days: float,
    seed: int,
    preemption: bool | str = False,
) -> np.ndarray:
    """One Ciw replication: mean wait (h) by hour of arrival, 24 values.

    The wait runs to the customer's first service start. ``preemption`` is the
    schedule's: False (Ciw's default, as govsim's crews: the job in hand is finished) or
    a Ciw pre-emption option such as ``"resume"`` (a crew leaving drops its jobs, which
    are resumed later) — a rival the comparison must tell apart.

    The queue starts empty at midnight and takes arrivals for ``days`` days; the
    customers arriving after ``warmup_days`` are measured, and the run goes on for
    ``DRAIN_DAYS`` without arrivals so that all of them are done. ``seed`` seeds Ciw's
    random streams.
    """
    ciw = _ciw()
    ciw.seed(seed)
    horizon = days * HOURS_PER_DAY
    first, shifts = queue.shifts()
    servers = (
        shifts[0][1]  # one crew around the clock: a Schedule would hand it over at midnight
        if len(shifts) == 1
        else ciw.Schedule(
            numbers_of_servers=[c for _, c in shifts],
            shift_end_dates=[end for end, _ in shifts],
            offset=first,  # no server before the first crew's start on day 0
            preemption=preemption,
        )
    )
    network = ciw.create_network(
        arrival_distributions=[
            ciw.dists.PoissonIntervals(
                list(queue.arrival_rates), [h + 1.0 for h in range(HOURS_PER_DAY)], horizon
            )
        ],
        service_distributions=[ciw.dists.Exponential(rate=queue.service_rate)],
        number_of_servers=[servers],
    )
    simulation = ciw.Simulation(network)
    # arrivals stop at the horizon; the drain lets every customer finish (Ciw records a
    # customer only when they leave)
    simulation.simulate_until_max_time(horizon + DRAIN_DAYS * HOURS_PER_DAY)
    if simulation.nodes[1].number_of_individuals:
        raise RuntimeError(f"Ciw run {seed}: customers still in the queue after the drain")
    records = simulation.get_all_records()
    ids = np.array([r.id_number for r in records])
    arrivals = np.array([r.arrival_date for r in records])
    starts = np.array([r.service_start_date for r in records])
    order = np.lexsort((starts, ids))  # an interrupted customer has a record per start
    first_record = order[np.unique(ids[order], return_index=True)[1]]
    arrivals, starts = arrivals[first_record], starts[first_record]
    measured = arrivals >= warmup_days * HOURS_PER_DAY
    return hourly_means(arrivals[measured], starts[measured] - arrivals[measured])
