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


The measures themselves are ``govsim.record.measures.METRICS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import numpy as np
from pydantic import Discriminator, Field, Tag, ValidationError

from govsim import shipped
from govsim.errors import ScenarioError
from govsim.record.ledger import Ledger
from govsim.record.measures import METRICS
from govsim.stats import Replicated
from govsim.world.scenario import Spec, read_yaml

REGISTER_FILE = shipped.folder("scenarios") / "register.yaml"
#: A dated note: the date a role changed (or anything else was decided), then why.
NOTE_PATTERN = r"^\d{4}-\d{2}-\d{2}: "


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


class Volume(Spec):
    """How the model counts what a count of incidents per period counts (a volume anchor:
    docs/volumes.md)."""

    category: str = Field(description="the text's category: a counted_as of the preset")
    period_days: float = Field(gt=0.0, description="the period the count covers (days)")
    metric: str | None = Field(
        None,
        description="a metric to count instead of the category's reported incidents, "
        "per 30 days (METRICS name and argument, e.g. reaching_per_month:street)",
    )


class Input(Figure):
    """A figure that sets a scenario value."""

    role: Literal["input"] = Field(description="input: sets a scenario value")
    sets: str = Field(description="the scenario field path(s) it sets, or what it anchors")
    volume: Volume | None = Field(
        None,
        description="a count of incidents per period that sets rates (a volume anchor): "
        "how the model counts it",
    )


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
    unidentified: list[str] = Field(
        default_factory=list,
        description="fitted parameters (paths in the preset's `uncertain`) the last "
        "calibration's profiles left open to a range's edge: the fit figures do not identify "
        "them, so the preset is under-determined",
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
            **entry.model_dump(include={"policy", "quick", "holdout_shortfall", "unidentified"}),
            targets=[f for f in entry.figures if isinstance(f, Target)],
            others=[f for f in entry.figures if not isinstance(f, Target)],
        )
    return found


def _check_entries(path: Path, preset: str, figures: list[Any]) -> None:
    """Ids unique within the preset; every metric (a target's, a volume's) a known one."""
    seen: set[str] = set()
    for i, figure in enumerate(figures):
        if figure.id in seen:
            raise ScenarioError(f"{path}: {preset}.figures.{i}.id: '{figure.id}' twice")
        seen.add(figure.id)
        if isinstance(figure, Target):
            field, metric = "metric", figure.metric
        elif isinstance(figure, Input) and figure.volume and figure.volume.metric:
            field, metric = "volume.metric", figure.volume.metric
        else:
            continue
        name = metric.split(":", 1)[0]
        if name not in METRICS:
            raise ScenarioError(
                f"{path}: {preset}.figures.{i}.{field}: unknown metric '{name}'; "
                f"known: {', '.join(METRICS)}"
            )


def measure(target: Target, ledger: Ledger) -> float:
    """The target's metric on one run's ledger."""
    name, _, argument = target.metric.partition(":")
    return METRICS[name](ledger, argument)


@dataclass(frozen=True)
class Achieved(Replicated):
    """A target next to what the model gives: replication values, their mean and CI."""

    target: Target
    values: np.ndarray

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
