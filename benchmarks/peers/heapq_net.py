"""The benchmark network as a bare heapq event loop: the plain-Python ceiling.

Events are ``(time, node, arrived)`` tuples: ``arrived < 0`` marks an external arrival at
a grid, otherwise the departure from ``node`` of the customer who arrived there at
``arrived``. Each node keeps a free-server count and a FIFO deque of arrival times.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import deque
from heapq import heappop, heappush

from benchmarks.peers.network import HORIZON_H, NODES, WARMUP_H, summarize


def run(seed: int = 1, warmup_h: float = WARMUP_H, horizon_h: float = HORIZON_H) -> dict:
    """Simulate the network to ``horizon_h`` and report customers/s and sojourn per tier."""
    start = time.perf_counter()
    rng = random.Random(seed)
    expo, uniform = rng.expovariate, rng.random
    service_rate = [1 / n.mean_service_h for n in NODES]
    free = [n.servers for n in NODES]
    queue: list[deque[float]] = [deque() for _ in NODES]
    events = [(expo(n.arrival_rate), i, -1.0) for i, n in enumerate(NODES) if n.arrival_rate]
    events.sort()  # a sorted list is a heap
    visits: list[tuple[int, float, float]] = []
    customers = 0

    def arrive(node: int, now: float) -> None:
        if free[node]:
            free[node] -= 1
            heappush(events, (now + expo(service_rate[node]), node, now))
        else:
            queue[node].append(now)

    while events:
        now, node, arrived = heappop(events)
        if now > horizon_h:
            break
        if arrived < 0:  # external arrival; schedule the next one at this grid
            customers += 1
            heappush(events, (now + expo(NODES[node].arrival_rate), node, -1.0))
            arrive(node, now)
            continue
        visits.append((node, arrived, now))
        if queue[node]:
            heappush(events, (now + expo(service_rate[node]), node, queue[node].popleft()))
        else:
            free[node] += 1
        parent = NODES[node].parent
        if parent is not None and uniform() < NODES[node].escalate_p:
            arrive(parent, now)
    seconds = time.perf_counter() - start
    return summarize("heapq", customers, seconds, visits, warmup_h)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    print(json.dumps(run(seed=parser.parse_args().seed)))
