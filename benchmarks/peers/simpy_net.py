"""The benchmark network in SimPy 4: a Resource per office, a process per customer."""

from __future__ import annotations

import argparse
import json
import random
import time

import simpy

from benchmarks.peers.network import HORIZON_H, NODES, WARMUP_H, summarize


class Network:
    """The offices as SimPy resources, with one arrival generator per grid."""

    def __init__(self, env: simpy.Environment, seed: int) -> None:
        self.env = env
        self.rng = random.Random(seed)
        self.offices = [simpy.Resource(env, capacity=n.servers) for n in NODES]
        self.customers = 0
        self.visits: list[tuple[int, float, float]] = []
        for i, node in enumerate(NODES):
            if node.arrival_rate:
                env.process(self.arrivals(i, node.arrival_rate))

    def arrivals(self, node: int, rate: float):
        """Poisson arrivals at one grid, each starting a customer process."""
        while True:
            yield self.env.timeout(self.rng.expovariate(rate))
            self.customers += 1
            self.env.process(self.customer(node))

    def customer(self, node: int | None):
        """Queue and be served at each node, escalating until the customer leaves."""
        while node is not None:
            arrived = self.env.now
            with self.offices[node].request() as request:
                yield request
                yield self.env.timeout(self.rng.expovariate(1 / NODES[node].mean_service_h))
            self.visits.append((node, arrived, self.env.now))
            escalate = self.rng.random() < NODES[node].escalate_p
            node = NODES[node].parent if escalate else None


def run(seed: int = 1, warmup_h: float = WARMUP_H, horizon_h: float = HORIZON_H) -> dict:
    """Simulate the network to ``horizon_h`` and report customers/s and sojourn per tier."""
    start = time.perf_counter()
    env = simpy.Environment()
    net = Network(env, seed)
    env.run(until=horizon_h)
    seconds = time.perf_counter() - start
    return summarize("simpy", net.customers, seconds, net.visits, warmup_h)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    print(json.dumps(run(seed=parser.parse_args().seed)))
