"""The benchmark network in Ciw 3: one node per office, a 27 × 27 routing matrix."""

from __future__ import annotations

import argparse
import json
import time

import ciw

from benchmarks.peers.network import HORIZON_H, NODES, WARMUP_H, summarize


def build() -> ciw.Network:
    """The network as Ciw distributions, server counts and a transition matrix."""
    routing = [[0.0] * len(NODES) for _ in NODES]
    for i, node in enumerate(NODES):
        if node.parent is not None:
            routing[i][node.parent] = node.escalate_p
    return ciw.create_network(
        arrival_distributions=[
            ciw.dists.Exponential(rate=n.arrival_rate) if n.arrival_rate else None for n in NODES
        ],
        service_distributions=[ciw.dists.Exponential(rate=1 / n.mean_service_h) for n in NODES],
        number_of_servers=[n.servers for n in NODES],
        routing=routing,
    )


def run(seed: int = 1, warmup_h: float = WARMUP_H, horizon_h: float = HORIZON_H) -> dict:
    """Simulate the network to ``horizon_h`` and report customers/s and sojourn per tier."""
    start = time.perf_counter()
    ciw.seed(seed)
    sim = ciw.Simulation(build())
    sim.simulate_until_max_time(horizon_h)
    seconds = time.perf_counter() - start
    visits = ((r.node - 1, r.arrival_date, r.exit_date) for r in sim.get_all_records())
    return summarize("ciw", sim.nodes[0].number_of_individuals, seconds, visits, warmup_h)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    print(json.dumps(run(seed=parser.parse_args().seed)))
