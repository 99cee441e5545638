"""Volume and scale: the counts of incidents per period the seed texts give, against the
model's count for the same category and period (``scenarios/volumes.yaml``).

Each count names the text's category (the ``counted_as`` of the preset's incident types),
its value and period, and how the model measures it: by default the category's incidents
reported in the window (``govsim.record.volumes``) per year × the period's share of a
year; with ``metric`` a target metric (``govsim.record.measures.METRICS``, given per 30
days) × the period in months. ``anchors`` names the scenario field the figure sets (a
scenario input) or is null where the figure is only compared (``why`` says why).
``python -m govsim.analysis.volumes --write docs/volumes.md`` measures every count and
writes the table into that page.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import Field, ValidationError

from govsim import shipped
from govsim.analysis.validation import preset_scenario
from govsim.engine.model import simulate
from govsim.errors import ScenarioError
from govsim.record.ledger import Ledger
from govsim.record.measures import HOURS_PER_MONTH, METRICS
from govsim.record.volumes import volumes
from govsim.stats import Replicated
from govsim.world.fields import HOURS_PER_YEAR
from govsim.world.scenario import Spec, read_yaml

VOLUMES_FILE = shipped.folder("scenarios") / "volumes.yaml"


class Count(Spec):
    """One count of incidents per period a source text gives."""

    name: str = Field(description="short identifier")
    text: str = Field(description="the source's words (quoted) and their translation")
    category: str = Field(description="the text's category: a counted_as of the preset")
    value: float = Field(gt=0.0, description="the count (incidents in the period)")
    period_days: float = Field(gt=0.0, description="the period the count covers (days)")
    metric: str | None = Field(
        None,
        description="a target metric (per 30 days) to measure instead of the category's "
        "reported incidents, e.g. reaching_per_month:street",
    )
    anchors: str | None = Field(
        description="the scenario field this figure sets (dotted path), or null: compared only"
    )
    why: str | None = Field(None, description="why it is only compared, or how it is kept")


class PresetCounts(Spec):
    """A preset's policy and the counts its text gives."""

    policy: str = Field(description="the policy the preset runs under (policies/NAME.yaml)")
    counts: list[Count] = Field(min_length=1)


def load_counts(path: Path = VOLUMES_FILE) -> dict[str, PresetCounts]:
    """Read and check the counts file; raises ``ScenarioError`` naming file and field."""
    found: dict[str, PresetCounts] = {}
    for name, spec in read_yaml(path).items():
        try:
            found[name] = PresetCounts.model_validate(spec)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(part) for part in (name, *err["loc"]))
            raise ScenarioError(f"{path}: {loc}: {err['msg']}") from None
    return found


def count_in_period(count: Count, ledger: Ledger) -> float:
    """The model's count of ``count``'s category over its period, from one run."""
    if count.metric:
        name, _, argument = count.metric.partition(":")
        return METRICS[name](ledger, argument) * count.period_days * 24.0 / HOURS_PER_MONTH
    by_category = volumes(ledger)["by_category"]
    if count.category not in by_category:
        raise ScenarioError(
            f"{VOLUMES_FILE.name}: {count.name}: no incident type counts as "
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
    preset: str, reps: int, spec: PresetCounts | None = None, base_seed: int = 0
) -> list[Measured]:
    """Every count of ``preset`` measured over ``reps`` runs (seeds base_seed + k)."""
    spec = spec or load_counts()[preset]
    scenario = preset_scenario(preset, spec.policy)
    values: dict[str, list[float]] = {c.name: [] for c in spec.counts}
    for k in range(reps):
        ledger = simulate(scenario, seed=base_seed + k)
        for count in spec.counts:
            values[count.name].append(count_in_period(count, ledger))
    return [Measured(c, np.array(values[c.name])) for c in spec.counts]


def _period(days: float) -> str:
    return {30: "a month", 365: "a year"}.get(int(days), f"{days:g} days")


def volumes_markdown(results: dict[str, list[Measured]], reps: int) -> str:
    """The comparison table of docs/volumes.md: per preset and count, the text's count and
    period, the model's mean and 95% CI, and the field it anchors (with why it is only
    compared, or how it is kept)."""
    lines = [
        "| preset | category | text | text's count | model (mean, 95% CI) | anchors |",
        "|---|---|---|---|---|---|",
    ]
    for preset, measured in results.items():
        for m in measured:
            c, ci = m.count, m.interval
            why = f" ({' '.join(c.why.split())})" if c.why else ""
            anchor = f"`{c.anchors}`{why}" if c.anchors else f"—{why}"
            lines.append(
                f"| {preset} | {c.category} | {' '.join(c.text.split())} | {c.value:g} in "
                f"{_period(c.period_days)} | {ci.mean:.0f} ({ci.low:.0f}–{ci.high:.0f}) | "
                f"{anchor} |"
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
    """Measure every count of scenarios/volumes.yaml; print the table or write it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--preset", action="append", help="only these presets")
    parser.add_argument(
        "--write", type=Path, metavar="DOC", help="write it into DOC (docs/volumes.md)"
    )
    args = parser.parse_args(argv)
    counts = load_counts()
    presets = args.preset or list(counts)
    results = {p: measure_counts(p, args.reps, counts[p]) for p in presets}
    table = volumes_markdown(results, args.reps)
    if args.write:
        write_table(table, args.write)
    print(table)


if __name__ == "__main__":
    main()
