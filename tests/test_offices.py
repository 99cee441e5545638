"""A desk as a queueing node: who takes an arriving job, who waits, who goes home."""

from __future__ import annotations

from types import SimpleNamespace

import mesa
import numpy as np

from govsim.agents.offices import Office
from govsim.policies.disciplines import FifoQueue
from govsim.policies.dispatch import LastFreed
from govsim.record.ledger import OfficeInfo


class Hand:
    """A stand-in worker: equal only to itself, as Mesa agents are."""

    def __init__(self, on_duty: bool = True) -> None:
        self.on_duty = on_duty


def desk() -> Office:
    info = OfficeInfo(0, "grid 0", "grid", 0, 2)
    return Office(mesa.Model(), info, np.zeros(3), FifoQueue(), LastFreed(None))


def job(name: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, waiting_in=None)


def test_the_last_freed_worker_takes_the_next_job() -> None:
    office = desk()
    first, second = Hand(), Hand()
    office.hire(first)
    office.hire(second)
    assert office.arrive(job("a")) is second  # hired last: freed last
    assert office.next_job(second) is None  # nothing waits: free again, last
    assert office.arrive(job("b")) is second
    assert office.arrive(job("c")) is first
    assert not office.free


def test_a_job_waits_when_nobody_is_free_and_goes_to_the_next_freed() -> None:
    office = desk()
    worker = Hand()
    office.hire(worker)
    assert office.arrive(job("a")) is worker
    waiting = job("b")
    assert office.arrive(waiting) is None
    assert waiting.waiting_in is office.queue
    assert office.next_job(worker) is waiting
    assert not office.free


def test_only_a_free_worker_is_dismissed_at_once() -> None:
    office = desk()
    busy, idle = Hand(), Hand()
    office.hire(busy)
    office.hire(idle)
    office.free.remove(busy)  # at work
    assert not office.dismiss(busy)
    assert office.dismiss(idle)
    assert not office.free


def test_off_duty_hires_wait_to_come_on() -> None:
    office = desk()
    office.hire(Hand(on_duty=False))
    assert not office.free and len(office.staff) == 1
