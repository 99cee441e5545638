"""The clock: scheduled and deferred events happen in one time order."""

from __future__ import annotations

import random

from govsim.engine.clock import Clock


def test_deferred_events_interleave_with_scheduled_ones_in_time_and_sequence_order() -> None:
    """Deferred events (a heap of their own) happen exactly where they would on one heap:
    by time, ties in the order they were put on the clock — also one deferred after, but
    due before, the earliest deferred so far, and those deferred while events happen."""
    rng = random.Random(7)
    clock, happened, expected = Clock(), [], []

    def note(label: tuple[float, int]) -> None:
        happened.append(label)
        if label[1] % 5 == 0:  # some events defer another, as a petition may
            put(clock.defer, clock.now + rng.choice([0.0, 1.0, rng.uniform(0, 50)]))

    def put(method, time_h: float) -> None:
        label = (time_h, len(expected))
        expected.append(label)
        method(time_h, note, label)

    for _ in range(400):
        time_h = rng.choice([10.0, 20.0, rng.uniform(0, 100)])  # ties on purpose
        put(rng.choice([clock.schedule, clock.defer]), time_h)
    clock.run_until(1e9)
    assert happened == sorted(expected)
    assert len(happened) == len(expected) > 400
    assert not clock.events and not clock.deferred
