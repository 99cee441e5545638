"""The register of the seed presets' figures (``scenarios/register.yaml``) and how to
measure them.

The register lists every quantitative figure of the five source texts with its role: an
``input`` (it sets a scenario value), a ``fit`` target (the calibration's loss), a
``holdout`` target (compared with the model, never fitted), a ``structure`` check (an
output that restates an input: shown, never counted as evidence) or
``not_representable`` (with the reason). A target (fit, holdout, structure) is a figure
with the tolerance within which a preset counts as reproducing it. Its ``metric`` names
what to measure on a run's ledger, one of ``METRICS`` with its argument after a colon
(``reaching_per_month:city``); with ``versus`` the figure is the ratio of the metric
under the preset's policy to the metric under another (``status_quo``: the scenario as
written), replication by replication on shared seeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import numpy as np
import pandas as pd
from pydantic import Discriminator, Field, Tag, ValidationError

from govsim import shipped
from govsim.engine.incidents import State
from govsim.errors import ScenarioError
from govsim.record.ledger import Ledger
from govsim.record.metrics import reached, visits, window_incidents
from govsim.record.petitions import petition_rates
from govsim.stats import Interval, mean_ci
from govsim.world.scenario import HOURS_PER_YEAR, Spec, read_yaml

HOURS_PER_MONTH = 30 * 24.0
REGISTER_FILE = shipped.folder("scenarios") / "register.yaml"
#: A dated note: the date a role changed (or anything else was decided), then why.
NOTE_PATTERN = r"^\d{4}-\d{2}-\d{2}: "


def _kind_rows(ledger: Ledger, kind: str) -> pd.DataFrame:
    frame = window_incidents(ledger)
    if kind not in ledger.kinds:
        raise ScenarioError(f"target metric: no incident type '{kind}'; known: {ledger.kinds}")
    return frame[frame["kind"] == ledger.kinds.index(kind)]


def _months(ledger: Ledger) -> float:
    return (ledger.window_h[1] - ledger.window_h[0]) / HOURS_PER_MONTH


def _reported_rows(ledger: Ledger, kind: str) -> pd.DataFrame:
    """Window incidents of ``kind`` reported before the window's end: the ones a campaign
    or a year "handled". One that occurred in the window but came to light after it (the
    drain's first patrol, a late report) was not handled in it."""
    rows = _kind_rows(ledger, kind)
    return rows[rows["reported_at"] < ledger.window_h[1]]


def reported_per_month(ledger: Ledger, kind: str) -> float:
    """Window incidents of ``kind`` reported before the window's end, per 30 days of
    window."""
    return float(len(_reported_rows(ledger, kind))) / _months(ledger)


def reaching_per_month(ledger: Ledger, tier: str) -> float:
    """Window incidents that queued at ``tier`` or above, per 30 days of window."""
    reported = int(window_incidents(ledger)["reported_at"].notna().sum())
    return reached(ledger)[tier] * reported / _months(ledger)


def share_reaching(ledger: Ledger, tier: str) -> float:
    """Share of reported window incidents that queued at ``tier`` or above."""
    return reached(ledger)[tier]


def resolved_share(ledger: Ledger, kind: str) -> float:
    """Share of the window incidents of ``kind`` reported before the window's end that
    were resolved by then (a campaign's report, made as it closes)."""
    rows = _reported_rows(ledger, kind)
    return float((rows["resolved_at"] < ledger.window_h[1]).mean())


def hours_from_report(ledger: Ledger, kind: str) -> float:
    """Mean hours from report to resolution of resolved window incidents of ``kind``."""
    rows = _kind_rows(ledger, kind)
    return float((rows["resolved_at"] - rows["reported_at"]).mean())


def resolved_at_share(ledger: Ledger, kind_and_tier: str) -> float:
    """Share of the resolved window incidents of a kind closed at a tier (desks and
    departments); the argument is ``KIND:TIER``."""
    kind, _, tier = kind_and_tier.partition(":")
    v = visits(ledger)
    closed = v[
        v["resolved"] & ~v["part"] & v["incident"].isin(_kind_rows(ledger, kind)["incident"])
    ]
    tiers = np.array([o.tier for o in ledger.offices])[closed["office"].to_numpy()]
    return float(np.mean(tiers == tier)) if len(closed) else float("nan")


def reported_per_year(ledger: Ledger, kinds: str) -> float:
    """Window incidents of the kinds (``KIND+KIND+…``) reported before the window's end,
    per year (8,760 h) of window."""
    count = sum(len(_reported_rows(ledger, kind)) for kind in kinds.split("+"))
    return count * HOURS_PER_YEAR / (ledger.window_h[1] - ledger.window_h[0])


def occurrences(ledger: Ledger, kind: str) -> float:
    """Window incidents of ``kind`` that occurred (hidden ones included)."""
    return float(len(_kind_rows(ledger, kind)))


def satisfied_share(ledger: Ledger, kind: str) -> float:
    """Share of rated window incidents of ``kind`` rated satisfied."""
    rated = _kind_rows(ledger, kind)["rating"].dropna()
    return float((rated >= ledger.meta["satisfied_at"]).mean())


def excellent_year(ledger: Ledger, which: str) -> float:
    """Share of rated grid workers' evaluations rated excellent over the ``first`` or
    ``last`` year (360 days) of the window, whatever the evaluation period."""
    frame = ledger.evaluations
    if frame.empty:
        return float("nan")
    w0, w1 = ledger.window_h
    year_h = 360 * 24.0
    lo, hi = (w0, w0 + year_h) if which == "first" else (w1 - year_h, w1)
    frame = frame[(frame["time_h"] > max(lo, w0)) & (frame["time_h"] <= min(hi, w1))]
    rated = int(frame["rated"].sum())
    return float(frame["excellent"].sum() / rated) if rated else float("nan")


def settled_by_volunteers(ledger: Ledger, kind: str) -> float:
    """Share of resolved window incidents of ``kind`` a volunteer settled on the spot."""
    ev = ledger.events
    settled = ev[(ev["state"] == State.RESOLVED) & (ev["office"] < 0)]["incident"]
    rows = _kind_rows(ledger, kind)
    rows = rows[rows["resolved_at"].notna()]
    return float(rows["incident"].isin(settled).mean())


def petitions_per_10k(ledger: Ledger, tier: str) -> float:
    """Petitions per 10,000 households a year (all tiers when ``tier`` is empty)."""
    rates = petition_rates(ledger)
    return rates["by_tier"][tier] if tier else rates["per_10k_households_year"]


def evaluations(ledger: Ledger, which: str) -> float:
    """Grid workers' evaluations in the window (person-times): those rated, or with
    ``which`` = ``excellent`` those rated excellent."""
    frame = ledger.evaluations
    if frame.empty:
        return 0.0
    w0, w1 = ledger.window_h
    frame = frame[(frame["time_h"] > w0) & (frame["time_h"] <= w1)]
    return float(frame["excellent" if which == "excellent" else "rated"].sum())


def hours_to_start(ledger: Ledger, kind: str) -> float:
    """Mean hours from report to the first time a handler started on a window incident of
    ``kind`` (grid worker, desk or department: someone at work on it), over those
    started."""
    ev = ledger.events
    started = ev[ev["state"] == State.STARTED]
    first = pd.Series(started["time"]).groupby(started["incident"]).min()
    rows = _kind_rows(ledger, kind)
    rows = rows[rows["incident"].isin(first.index)]
    return float((first.loc[rows["incident"]].to_numpy() - rows["reported_at"].to_numpy()).mean())


def resolved_below_per_month(ledger: Ledger, tier: str) -> float:
    """Window incidents reported and resolved before the window's end that never queued at
    ``tier`` or above (closed "at the grassroots" below it), per 30 days of window."""
    v = visits(ledger)
    ranks = np.array([o.rank for o in ledger.offices])
    reached_tier = v.loc[ranks[v["office"].to_numpy()] >= ledger.tiers.index(tier), "incident"]
    rows = window_incidents(ledger)
    closed = rows[
        (rows["reported_at"] < ledger.window_h[1]) & (rows["resolved_at"] < ledger.window_h[1])
    ]
    return float((~closed["incident"].isin(reached_tier)).sum()) / _months(ledger)


#: Target metrics by name; each takes the ledger and the argument after the colon.
METRICS: dict[str, Callable[[Ledger, str], float]] = {
    "reported_per_month": reported_per_month,
    "reported_per_year": reported_per_year,
    "reaching_per_month": reaching_per_month,
    "share_reaching": share_reaching,
    "resolved_share": resolved_share,
    "hours_from_report": hours_from_report,
    "resolved_at_share": resolved_at_share,
    "occurrences": occurrences,
    "satisfied_share": satisfied_share,
    "excellent_year": excellent_year,
    "settled_by_volunteers": settled_by_volunteers,
    "petitions_per_10k": petitions_per_10k,
    "evaluations": evaluations,
    "hours_to_start": hours_to_start,
    "resolved_below_per_month": resolved_below_per_month,
}


#: The roles a figure can have; the first three are targets the model is run against.
TargetRole = Literal["fit", "holdout", "structure"]
ROLES = (*get_args(TargetRole), "input", "not_representable")


class Figure(Spec):
    """One quantitative figure of a source text, as the register lists it."""

    id: str = Field(pattern=r"^[a-z0-9_]+$", description="short identifier, unique per preset")
    quote: str = Field(description="the text's words, in its own language and script")
    gloss: str = Field(description="a short English gloss of the quote")
    number: float | None = Field(
        description="the figure as the text states it (null: a figure-less claim a target "
        "encodes, e.g. a slogan)"
    )
    unit: str = Field(description="what the number counts (people, incidents a month, share)")
    period: str = Field(description="the period the number covers ('-' when none)")
    committed: date = Field(description="when the role was committed (before any result)")
    notes: list[Annotated[str, Field(pattern=NOTE_PATTERN)]] = Field(
        default_factory=list,
        description="dated notes ('YYYY-MM-DD: ...'); a role changed after the commit date "
        "needs one",
    )


class Input(Figure):
    """A figure that sets a scenario value."""

    role: Literal["input"] = Field(description="input: sets a scenario value")
    sets: str = Field(description="the scenario field path(s) it sets, or what it anchors")


class NotRepresentable(Figure):
    """A figure the model has nothing to compare with."""

    role: Literal["not_representable"] = Field(description="the model cannot represent it")
    reason: str = Field(description="why not")


class Target(Figure):
    """A figure the model is run against, with the tolerance it must meet it within."""

    role: TargetRole = Field(
        description="fit: in the calibration's loss; holdout: compared, never fitted; "
        "structure: an output that restates an input, shown and never counted as evidence"
    )
    metric: str = Field(description="METRICS name and argument, e.g. reaching_per_month:city")
    policy: str | None = Field(None, description="policy to run (default: the preset's)")
    versus: str | None = Field(
        None, description="a second policy: the figure is the ratio of the two"
    )
    value: float = Field(description="the figure in the metric's unit")
    tolerance: float = Field(gt=0.0, description="how far the model mean may be from it")
    relation: Literal["equal", "at_most", "at_least"] = Field(
        "equal", description="equal: within ± tolerance; at_most / at_least: one-sided"
    )
    gap: str | None = Field(
        None,
        description="why the model does not meet this figure yet: a known gap, reported as "
        "such (the tests check it is still unmet, so a closed gap gets noticed)",
    )

    @property
    def name(self) -> str:
        """The figure's id (the name tables and the calibration key results by)."""
        return self.id

    @property
    def text(self) -> str:
        """What the source says: the quote and its gloss."""
        return f"{self.quote} ({self.gloss})"


def _kind_of(entry: Any) -> str | None:
    """Which record an entry is: its role, the three target roles as one."""
    role = entry.get("role") if isinstance(entry, dict) else getattr(entry, "role", None)
    return "target" if role in get_args(TargetRole) else role


Entry = Annotated[
    Annotated[Target, Tag("target")]
    | Annotated[Input, Tag("input")]
    | Annotated[NotRepresentable, Tag("not_representable")],
    Discriminator(
        _kind_of,
        custom_error_type="role",
        custom_error_message=f"role must be one of {', '.join(ROLES)}",
    ),
]


class PresetInfo(Spec):
    """What a preset's register entry says besides its figures."""

    policy: str = Field(description="the preset's own policy (policies/NAME.yaml)")
    quick: dict[str, Any] = Field(
        default_factory=dict,
        description="overrides for the reduced run the tests make (e.g. a smaller map)",
    )
    holdout_shortfall: str | None = Field(
        None, description="why the text gives fewer than two figures to hold out, if it does"
    )


class PresetRegister(PresetInfo):
    """A preset's entry in the register file: its source and its figures."""

    source: str = Field(description="the source text (a file of ../shared/seeds)")
    figures: list[Entry] = Field(min_length=1)


class PresetTargets(PresetInfo):
    """A preset's policy and its targets; ``others`` are its inputs and the figures that
    cannot be represented (listed, never run)."""

    targets: list[Target] = Field(min_length=1)
    others: list[Input | NotRepresentable] = Field(default_factory=list)

    def with_role(self, *roles: str) -> PresetTargets:
        """A copy holding only the targets of ``roles`` (the calibration: ``"fit"``)."""
        kept = [t for t in self.targets if t.role in roles]
        return self.model_copy(update={"targets": kept})


def load_targets(path: Path = REGISTER_FILE) -> dict[str, PresetTargets]:
    """Read and check the register; raises ``ScenarioError`` naming file and field path.
    Returns each preset's targets (fit, holdout, structure) and other figures."""
    raw = read_yaml(path)
    found: dict[str, PresetTargets] = {}
    for name, spec in raw.items():
        try:
            entry = PresetRegister.model_validate(spec)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(part) for part in (name, *err["loc"]))
            raise ScenarioError(f"{path}: {loc}: {err['msg']}") from None
        _check_entries(path, name, entry.figures)
        found[name] = PresetTargets(
            **entry.model_dump(include={"policy", "quick", "holdout_shortfall"}),
            targets=[f for f in entry.figures if isinstance(f, Target)],
            others=[f for f in entry.figures if not isinstance(f, Target)],
        )
    return found


def _check_entries(path: Path, preset: str, figures: list[Any]) -> None:
    """Ids unique within the preset; every target's metric a known one."""
    seen: set[str] = set()
    for i, figure in enumerate(figures):
        if figure.id in seen:
            raise ScenarioError(f"{path}: {preset}.figures.{i}.id: '{figure.id}' twice")
        seen.add(figure.id)
        name = figure.metric.split(":", 1)[0] if isinstance(figure, Target) else None
        if name is not None and name not in METRICS:
            raise ScenarioError(
                f"{path}: {preset}.figures.{i}.metric: unknown metric '{name}'; "
                f"known: {', '.join(METRICS)}"
            )


def measure(target: Target, ledger: Ledger) -> float:
    """The target's metric on one run's ledger."""
    name, _, argument = target.metric.partition(":")
    return METRICS[name](ledger, argument)


@dataclass(frozen=True)
class Achieved:
    """A target next to what the model gives: replication values, their mean and CI."""

    target: Target
    values: np.ndarray

    @property
    def interval(self) -> Interval:
        """Mean and 95% CI over replications."""
        return mean_ci(self.values)

    @property
    def passed(self) -> bool:
        """Whether the model mean meets the target within its tolerance."""
        mean, t = self.interval.mean, self.target
        if t.relation == "at_most":
            return bool(mean <= t.value + t.tolerance)
        if t.relation == "at_least":
            return bool(mean >= t.value - t.tolerance)
        return bool(abs(mean - t.value) <= t.tolerance)

    @property
    def loss(self) -> float:
        """Squared distance of the mean from the figure in tolerances: 0 on the figure;
        for at_most / at_least only the wrong side counts; 0 for a target whose role is
        not ``fit``. Calibration minimises the sum."""
        t = self.target
        if t.role != "fit":
            return 0.0
        gap = (self.interval.mean - t.value) / t.tolerance
        if t.relation == "at_most":
            gap = max(0.0, gap)
        elif t.relation == "at_least":
            gap = min(0.0, gap)
        return float(gap**2)
