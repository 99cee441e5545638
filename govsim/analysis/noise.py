"""How many replications a calibration needs: the noise of each fit target against its
tolerance, measured by a pilot.

The calibration's loss is a sum of squared gaps in tolerances, ``((mean − figure) /
tolerance)²``, and a parameter's profile interval is where that loss stays within 1 of its
minimum. The replication mean carries sampling error of standard error SE = sd / √n, which
adds about ``(SE / tolerance)²`` to each target's term. With SE ≤ tolerance / ``NOISE_SHARE``
(a quarter) the noise adds at most 1/16 ≈ 0.06 per target: under 6% of the Δloss of 1
that sets the intervals, and the fitted mean is within a quarter tolerance of the model's
expectation. A pilot at the preset's starting point measures each fit target's standard
deviation per replication (sd); the replications used are the smallest n with
sd / √n ≤ tolerance / ``NOISE_SHARE`` for every fit target. The noise moves with the
parameters, so a second pilot at the fit checks the count, and the calibration fits again
with more replications when the fit needs them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads this module's constants to build its help: keep it light
    from govsim.analysis.targets import Achieved

#: The replication mean's standard error must be at most tolerance / NOISE_SHARE (why: the
#: module's docstring — noise then adds < 1/16 to each target's χ² term).
NOISE_SHARE = 4.0
#: The fewest replications: a 95% CI needs two.
MIN_REPS = 2
#: Pilot replications by default: enough for a standard deviation within about ±25%
#: (the relative standard error of a sample sd is ≈ 1 / √(2 (n − 1))).
PILOT_REPS = 8
#: The most replications ``reps_needed`` asks for; a target noisier than that is reported
#: as such rather than run for days.
MAX_AUTO_REPS = 200


@dataclass(frozen=True)
class Noise:
    """One fit target's noise in the pilot: its sd per replication and the reps it needs."""

    target: str
    tolerance: float
    sd: float  # standard deviation of one replication's value (NaN: not measurable)
    needed: int  # smallest n with sd / √n ≤ tolerance / NOISE_SHARE

    def standard_error(self, reps: int) -> float:
        """The replication mean's standard error over ``reps`` replications."""
        return self.sd / math.sqrt(reps)


@dataclass(frozen=True)
class Pilot:
    """What a pilot found: each fit target's noise and the replications the fit uses."""

    reps: int  # replications the pilot ran
    noise: list[Noise]
    needed: int  # the most any target needs (at least MIN_REPS, at most MAX_AUTO_REPS)
    capped: bool  # True when some target would need more than MAX_AUTO_REPS

    def bound_met(self, reps: int) -> bool:
        """Whether every measurable target's SE over ``reps`` is ≤ tolerance / NOISE_SHARE."""
        return all(
            not math.isfinite(n.sd) or n.standard_error(reps) <= n.tolerance / NOISE_SHARE
            for n in self.noise
        )


def target_noise(achieved: Achieved) -> Noise:
    """The noise of one target from its pilot replications (non-finite values left out)."""
    import numpy as np

    values = achieved.values[np.isfinite(achieved.values)]
    tolerance = achieved.target.tolerance
    if len(values) < 2:
        return Noise(achieved.target.name, tolerance, float("nan"), MIN_REPS)
    sd = float(np.std(values, ddof=1))
    needed = math.ceil((NOISE_SHARE * sd / tolerance) ** 2 - 1e-9)
    return Noise(achieved.target.name, tolerance, sd, max(MIN_REPS, needed))


def pilot_result(pilot: list[Achieved], reps: int) -> Pilot:
    """The replications the fit targets of ``pilot`` (their values over ``reps`` pilot
    replications) need for the noise bound."""
    noise = [target_noise(a) for a in pilot]
    most = max((n.needed for n in noise), default=MIN_REPS)
    return Pilot(reps, noise, min(most, MAX_AUTO_REPS), most > MAX_AUTO_REPS)
