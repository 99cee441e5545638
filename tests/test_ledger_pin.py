"""The engine's behaviour, pinned: the ledgers of the demo and the five presets hash the same.

A reshaping of the code must not change a single event. Each case runs one scenario
under one policy and seed, and hashes everything its ledger holds: events, joint-response
parts, staff changes, the incident table, the daily series and the evaluations. Handler
ids are replaced by their rank among the run's handler ids, so the hash does not depend
on how many other Mesa agents were numbered before the handlers (residents were, once).
A REPORTED row's actor is the channel's code (0–4), not a handler: it is left as it is.

A deliberate change of behaviour re-pins: ``python -m tests.test_ledger_pin --write``,
with the reason in the commit message.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govsim.analysis.validation import PRESETS, preset_scenario
from govsim.engine.incidents import State
from govsim.engine.model import simulate
from govsim.record.ledger import Ledger

PINS = Path(__file__).with_name("ledger_pins.json")
DAYS = 60
#: The demo under policies that switch on every mechanism at least once.
DEMO_POLICIES = (
    "status_quo",
    "whistle_and_report",
    "points_and_lists",
    "part_time_riders",
    "time_bank",
    "six_plus_x",
    "inspection_surge",
    "specialist_windows",
    "platform_dispatch",
    "deadline_first",
)
CASES = [("demo", policy, 0) for policy in DEMO_POLICIES] + [
    (preset, preset, seed) for preset in PRESETS for seed in (0, 1, 2)
]


def ledger_hash(ledger: Ledger) -> str:
    """SHA-256 of everything a frozen ledger holds, handler ids replaced by their rank."""
    by_handler = ledger.events["state"] != State.REPORTED
    actors = np.concatenate([ledger.events["actor"][by_handler], ledger.assists["actor"]])
    handlers = np.unique(actors[actors >= 0])
    evaluations = ledger.evaluations.copy()
    if "worker" in evaluations:
        handlers = np.union1d(handlers, evaluations["worker"].to_numpy())
        evaluations["worker"] = np.searchsorted(handlers, evaluations["worker"].to_numpy())

    def ranked(events: np.ndarray) -> np.ndarray:
        events = events.copy()
        known = (events["actor"] >= 0) & (events["state"] != State.REPORTED)
        events["actor"][known] = np.searchsorted(handlers, events["actor"][known])
        return events

    digest = hashlib.sha256()
    for array in (ranked(ledger.events), ranked(ledger.assists), ledger.staff):
        digest.update(np.ascontiguousarray(array).tobytes())
    for frame in (ledger.incidents, ledger.series, evaluations):
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def case_hash(scenario_name: str, policy: str, seed: int) -> str:
    """The ledger hash of one case (``DAYS`` days)."""
    scenario = preset_scenario(scenario_name, policy)
    return ledger_hash(simulate(scenario, seed=seed, days=DAYS))


def key(case: tuple[str, str, int]) -> str:
    """The case's name in the pins file."""
    return "{}/{}/seed{}".format(*case)


@pytest.mark.parametrize("case", CASES, ids=key)
def test_ledger_unchanged(case: tuple[str, str, int]) -> None:
    pins = json.loads(PINS.read_text())
    assert case_hash(*case) == pins[key(case)]


def test_hash_sees_a_changed_event() -> None:
    """The hash is not blind: moving one event by a millisecond changes it."""
    ledger = simulate(preset_scenario("demo", "status_quo"), seed=0, days=10)
    before = ledger_hash(ledger)
    ledger.events["time"][len(ledger.events) // 2] += 1e-3
    assert ledger_hash(ledger) != before


if __name__ == "__main__" and "--write" in sys.argv:
    PINS.write_text(json.dumps({key(c): case_hash(*c) for c in CASES}, indent=1) + "\n")
