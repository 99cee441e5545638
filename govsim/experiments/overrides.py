"""Quick sizes laid over a spec: the command line's ``--samples``, ``--reps``, ``--days``
and ``--set``.

A spec file fixes a study's size (4,608 runs for the shipped Sobol study); to try it
small, the command line overrides the size without editing the file. The overrides are
laid over the spec's data *before* it is validated, so every check a spec gets (the
bounds, a Sobol N a power of two, a parameter path that exists) applies to them too, and
the results manifest's spec holds the values the runs used: a ``--resume`` with other
overrides is refused as a different experiment.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Overrides:
    """What the command line lays over a spec; None (or an empty ``set``): the spec's own.

    Attributes:
        samples: parameter samples (an experiment's Latin hypercube ``parameters.samples``;
            a sensitivity or robustness spec's ``samples``).
        replications: runs per sample and policy (the spec's ``replications``).
        days: simulated days per run, the warm-up included (the spec's ``days``).
        set: parameter path → value laid over the scenario in every run, as
            ``govsim run --set`` (merged into the spec's ``set``; the command line wins).
    """

    samples: int | None = None
    replications: int | None = None
    days: float | None = None
    set: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Overrides:
        """The overrides a manifest recorded (``record``'s inverse)."""
        return cls(**{k: v for k, v in record.items() if k in _FIELDS})

    def __bool__(self) -> bool:
        return bool(self.record())

    def record(self) -> dict[str, Any]:
        """The given overrides as plain data (for the manifest), the others left out."""
        given = {
            "samples": self.samples,
            "replications": self.replications,
            "days": self.days,
        }
        found = {k: v for k, v in given.items() if v is not None}
        return {**found, "set": dict(self.set)} if self.set else found

    def describe(self) -> str:
        """The overrides as the options that gave them: ``--samples 8 --days 30 --set a=1``."""
        flags = {"samples": "--samples", "replications": "--reps", "days": "--days"}
        parts = [f"{flags[k]} {v:g}" for k, v in self.record().items() if k in flags]
        parts += [f"--set {path}={value}" for path, value in self.set.items()]
        return " ".join(parts)

    def laid_over(self, raw: Mapping[str, Any], samples_at: tuple[str, ...]) -> dict[str, Any]:
        """A copy of the spec data ``raw`` with the overrides in place; ``samples_at`` is
        the key path of the spec's sample count (``("parameters", "samples")``)."""
        out = copy.deepcopy(dict(raw))
        if self.samples is not None:
            *parents, last = samples_at
            holder = out
            for key in parents:
                holder = holder.setdefault(key, {})
            holder[last] = self.samples
        if self.replications is not None:
            out["replications"] = self.replications
        if self.days is not None:
            out["days"] = self.days
        if self.set:
            given = out.get("set") or {}
            out["set"] = {**(given if isinstance(given, Mapping) else {}), **self.set}
        return out

    def source(self, path: object) -> str:
        """How errors name the spec: ``FILE`` or ``FILE (with --samples 8)``."""
        return f"{path} (with {self.describe()})" if self else str(path)


_FIELDS = ("samples", "replications", "days", "set")
