"""Why the model owns a plain heap: trivial events/s of heapq vs Mesa's own event scheduling.

Each event schedules the next one a random time ahead (a self-rescheduling chain, the
shape of a queueing simulation), 200,000 events, 1,000 per time unit on average (so that
Mesa 3.5's built-in step event, once per time unit, adds only 0.1% more events). Mesa's scheduler is
``DEVSimulator.schedule_event_absolute`` where it exists (Mesa ≤ 3.4) and
``Model.schedule_event`` (Mesa ≥ 3.5). Prints one JSON line.
Run: ``python -m benchmarks.event_loop``.
"""

from __future__ import annotations

import heapq
import json
import random
import time
import warnings
from itertools import count

import mesa

N_EVENTS = 200_000
RATE = 1000.0  # events per time unit


def heap_loop(n: int = N_EVENTS) -> float:
    """Events/s of a bare heapq loop whose events reschedule themselves."""
    rng = random.Random(1)
    events: list[tuple[float, int, object]] = []
    order = count()
    done = 0

    def fire() -> None:
        nonlocal done
        done += 1
        if done < n:
            heapq.heappush(events, (now + rng.expovariate(RATE), next(order), fire))

    now = 0.0
    heapq.heappush(events, (0.0, next(order), fire))
    start = time.perf_counter()
    while events:
        now, _, action = heapq.heappop(events)
        action()
    return n / (time.perf_counter() - start)


def mesa_loop(n: int = N_EVENTS) -> tuple[str, float]:
    """Events/s of Mesa's own event scheduling, with the API this Mesa version offers."""
    rng = random.Random(1)
    model = mesa.Model(rng=1)
    done = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hasattr(model, "schedule_event"):
            api = "Model.schedule_event"

            def fire() -> None:
                nonlocal done
                done += 1
                if done < n:
                    model.schedule_event(fire, after=rng.expovariate(RATE))

            model.schedule_event(fire, at=0.0)
            start = time.perf_counter()
            model.run_until(2.0 * n / RATE)
        else:
            from mesa.experimental.devs import DEVSimulator

            api = "DEVSimulator.schedule_event_relative"
            sim = DEVSimulator()
            sim.setup(model)

            def fire() -> None:
                nonlocal done
                done += 1
                if done < n:
                    sim.schedule_event_relative(fire, rng.expovariate(RATE))

            sim.schedule_event_absolute(fire, 0.0)
            start = time.perf_counter()
            sim.run_until(float("inf"))
    return api, done / (time.perf_counter() - start)


if __name__ == "__main__":
    api, mesa_rate = mesa_loop()
    heap_rate = heap_loop()
    print(
        json.dumps(
            {
                "mesa": mesa.__version__,
                "mesa_api": api,
                "mesa_events_per_s": mesa_rate,
                "heapq_events_per_s": heap_rate,
                "ratio": heap_rate / mesa_rate,
            }
        )
    )
