"""Volume and scale: the counts of incidents per period the seed texts give, against the
model's count for the same category and period.

The counts are the register's (``scenarios/register.yaml``): its volume anchors (inputs
with a ``volume``: the category they count, their period and, where it is not the
category's reported incidents, the metric that counts them) and its fit and holdout
targets whose metric is a count per period (``COUNT_METRICS``). An anchor is measured as
the category's incidents reported in the window (``govsim.record.volumes``) per year ×
the period's share of a year, or by its metric; a target by its own metric.
``python -m govsim.analysis.volumes --write docs/volumes.md`` measures every count and
writes the table into that page.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from govsim.analysis.targets import Input, PresetTargets, load_targets
from govsim.analysis.validation import preset_scenario
from govsim.engine.model import simulate
from govsim.errors import ScenarioError
from govsim.record.ledger import Ledger
from govsim.record.measures import HOURS_PER_MONTH, METRICS
from govsim.record.volumes import volumes
from govsim.stats import Replicated
from govsim.world.fields import HOURS_PER_YEAR

#: Metrics that count incidents per period, with the hours their value covers: a target
#: measured by one of them is a count the volumes table lists.
COUNT_METRICS = {
    "reported_per_year": HOURS_PER_YEAR,
    "reported_per_month": HOURS_PER_MONTH,
    "reaching_per_month": HOURS_PER_MONTH,
    "resolved_below_per_month": HOURS_PER_MONTH,
}


@dataclass(frozen=True)
class Count:
    """One count of incidents per period a source text gives, as the model measures it.

    ``value`` is incidents per ``period_days``; ``category`` is the text's category (a
    ``counted_as`` of the preset) or None where ``metric`` (``NAME:ARGUMENT``) counts;
    ``role`` and ``says`` are the register's role and what the figure sets (an input) or
    where it is compared (a target)."""

    name: str
    text: str
    category: str | None
    value: float
    period_days: float
    metric: str | None
    role: str
    says: str

    @property
    def counted_as(self) -> str:
        """What the model counts: the category, or the metric (in Markdown code format)."""
        return f"`{self.metric}`" if self.metric else str(self.category)

    @property
    def anchors(self) -> bool:
        """Whether the count sets a rate (an input), rather than being compared."""
        return self.role == "input"


def counts_of(targets: PresetTargets) -> list[Count]:
    """A preset's counts per period in the register: volume anchors, then count targets."""
    found = [
        Count(f.id, f"{f.quote} ({f.gloss})", f.volume.category, float(f.number or 0.0),
              f.volume.period_days, f.volume.metric, f.role, " ".join(f.sets.split()))
        for f in targets.others
        if isinstance(f, Input) and f.volume is not None
    ]
    for t in targets.targets:
        name = t.metric.split(":", 1)[0]
        if name in COUNT_METRICS and t.versus is None:
            days = COUNT_METRICS[name] / 24.0
            found.append(Count(t.id, t.text, None, t.value, days, t.metric, t.role,
                               f"a {t.role} target (docs/validation.md)"))
    return found


def load_counts() -> dict[str, list[Count]]:
    """Every preset's counts per period (presets without any left out)."""
    found = {name: counts_of(targets) for name, targets in load_targets().items()}
    return {name: counts for name, counts in found.items() if counts}


def count_in_period(count: Count, ledger: Ledger) -> float:
    """The model's count of ``count`` over its period, from one run."""
    if count.metric:
        name, _, argument = count.metric.partition(":")
        per_hours = COUNT_METRICS.get(name, HOURS_PER_MONTH)
        return METRICS[name](ledger, argument) * count.period_days * 24.0 / per_hours
    by_category = volumes(ledger)["by_category"]
    if count.category not in by_category:
        raise ScenarioError(
            f"register.yaml: {count.name}.volume.category: no incident type counts as "
            f"'{count.category}'; categories: {', '.join(by_category)}"
        )
    per_year = by_category[count.category]["reported_per_year"]
    return per_year * count.period_days * 24.0 / HOURS_PER_YEAR


@dataclass(frozen=True)
class Measured(Replicated):
    """A text's count next to the model's: one value per replication."""

    count: Count
    values: np.ndarray


def measure_counts(
    preset: str, reps: int, counts: list[Count] | None = None, base_seed: int = 0
) -> list[Measured]:
    """Every count of ``preset`` (or ``counts``) measured over ``reps`` runs (seeds
    base_seed + k), under the preset's own policy."""
    targets = load_targets()[preset]
    counts = counts_of(targets) if counts is None else counts
    scenario = preset_scenario(preset, targets.policy)
    values: dict[str, list[float]] = {c.name: [] for c in counts}
    for k in range(reps):
        ledger = simulate(scenario, seed=base_seed + k)
        for count in counts:
            values[count.name].append(count_in_period(count, ledger))
    return [Measured(c, np.array(values[c.name])) for c in counts]


def _period(days: float) -> str:
    return {30: "a month", 365: "a year"}.get(int(days), f"{days:g} days")


def volumes_markdown(results: dict[str, list[Measured]], reps: int) -> str:
    """The comparison table of docs/volumes.md: per preset and count, the text's count and
    period, the model's mean and 95% CI, the register's role and what the count sets (an
    anchor) or where it is compared (a target)."""
    lines = [
        "| preset | counted as | text | text's count | model (mean, 95% CI) | role | sets |",
        "|---|---|---|---|---|---|---|",
    ]
    for preset, measured in results.items():
        for m in measured:
            c, ci = m.count, m.interval
            lines.append(
                f"| {preset} | {c.counted_as} | {' '.join(c.text.split())} | {c.value:,g} "
                f"in {_period(c.period_days)} | {ci.mean:,.0f} ({ci.low:,.0f}–{ci.high:,.0f}) | "
                f"{c.role} | {c.says} |"
            )
    return (
        f"Measured by `python -m govsim.analysis.volumes --reps {reps}` (seeds 0–{reps - 1}, "
        "each preset under its own policy).\n\n" + "\n".join(lines) + "\n"
    )


_BEGIN, _END = "<!-- volumes table: begin -->", "<!-- volumes table: end -->"


def write_table(table: str, doc: Path) -> None:
    """Put ``table`` between the markers of ``doc``."""
    text = doc.read_text(encoding="utf-8")
    head, rest = text.split(_BEGIN, 1)
    tail = rest.split(_END, 1)[1]
    doc.write_text(f"{head}{_BEGIN}\n{table}{_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Measure every count per period of the register; print the table or write it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--preset", action="append", help="only these presets")
    parser.add_argument(
        "--write", type=Path, metavar="DOC", help="write it into DOC (docs/volumes.md)"
    )
    args = parser.parse_args(argv)
    counts = load_counts()
    presets = args.preset or list(counts)
    unknown = sorted(set(presets) - set(counts))
    if unknown:
        parser.error(f"no counts for {', '.join(unknown)}; presets with any: {', '.join(counts)}")
    results = {p: measure_counts(p, args.reps, counts[p]) for p in presets}
    table = volumes_markdown(results, args.reps)
    if args.write:
        write_table(table, args.write)
    print(table)


if __name__ == "__main__":
    main()
