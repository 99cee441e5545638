"""The named random streams of a run: one independent generator per source of chance."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported on first use: the CLI reads MAX_SEED to build its help
    import numpy as np

#: Largest seed a run may be given: replication k of a comparison or an experiment runs on
#: seed + k, and seeds are stored in 64-bit integer columns (results, ledgers).
MAX_SEED = 2**62

#: Named random streams, spawned in this order from the run's SeedSequence (append only).
STREAMS = (
    "occurrence",
    "handling",
    "reporting",
    "patrol",
    "agents",
    "routing",
    "quality",
    "recurrence",
    "joint",
    "channel",
    "demand",
    "whistle",
    "escalation",
    "rounds",
    "rota",
)


def make_streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per named stream, all from ``SeedSequence(seed)``."""
    import numpy as np

    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {
        name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)
    }
