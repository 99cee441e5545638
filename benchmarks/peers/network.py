"""The 4-tier escalation network as plain data, shared by the peer implementations.

Node ``i`` is an M/M/c queue (FIFO, infinite capacity). After service a customer moves to
``NODES[i].parent`` with probability ``NODES[i].escalate_p`` and otherwise leaves; hand-offs
are instant. Indices: grids 0–19, communities 20–24, street 25, city 26. Times in hours.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

TIERS = ("grid", "community", "street", "city")
WARMUP_H = 720.0  # 30 days
HORIZON_H = 9480.0  # warm-up + 365 days


class Node(NamedTuple):
    tier: str
    servers: int
    mean_service_h: float
    arrival_rate: float  # external Poisson arrivals per hour
    parent: int | None  # node escalated to, None for the top
    escalate_p: float  # probability of moving to ``parent`` after service


COMMUNITY0, STREET, CITY = 20, 25, 26
NODES: tuple[Node, ...] = (
    *(Node("grid", 3, 2.0, 1.0, COMMUNITY0 + g // 4, 0.15) for g in range(20)),
    *(Node("community", 4, 4.0, 0.0, STREET, 0.10) for _ in range(5)),
    Node("street", 6, 8.0, 0.0, CITY, 0.05),
    Node("city", 10, 24.0, 0.0, None, 0.0),
)


def summarize(
    tool: str,
    customers: int,
    seconds: float,
    visits: Iterable[tuple[int, float, float]],
    warmup_h: float,
) -> dict:
    """The runners' report; ``visits`` holds finished (node, arrival, departure) triples."""
    total = dict.fromkeys(TIERS, 0.0)
    count = dict.fromkeys(TIERS, 0)
    for node, arrived, left in visits:
        if arrived > warmup_h:
            tier = NODES[node].tier
            total[tier] += left - arrived
            count[tier] += 1
    return {
        "tool": tool,
        "customers": customers,
        "seconds": seconds,
        "customers_per_s": customers / seconds,
        "mean_sojourn_h": {t: total[t] / count[t] if count[t] else math.nan for t in TIERS},
        "visits": count,
    }
