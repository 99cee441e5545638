"""Property management: who runs each residential compound, and how well.

Every map cell holds ``compounds_per_cell`` compounds (its households split evenly), each
run by a property service provider under one management model:

- **conventional** (the status quo the scenario's rates describe): the provider keeps the
  fees and its accounts to itself;
- **trust-based** (信托制物业, Wuhou, seed 002): the fees and the income of the public areas
  are a trust fund held by a trust company, the residents' committee is the beneficiary,
  the party committee with hired lawyers and accountants oversees it, and the accounts are
  open to every resident; the provider is paid to execute the service plan.

A model gives its compounds a service **quality** q (0–1: the share of residents
satisfied with the property service) and residents' **trust in the provider** τ (0–1).
Property-related problems arise in proportion to the shortfall in quality, and a
resident takes a problem up as a dispute with the provider in proportion to distrust, so
relative to a conventional compound (q₀, τ₀):

- ``problems`` incident types (a broken lift, rubbish left): rate × (1 − q) / (1 − q₀);
- ``disputes`` incident types (fees, accounts): rate × (1 − q) / (1 − q₀) × (1 − τ) / (1 − τ₀).

A cell's factor is the mean over its compounds. With every compound conventional
(``trust_based_share: 0``, the default) every factor is 1: the mechanism is off. The
levels are steady states: the source compares a year under each model ("同比").
"""

from __future__ import annotations

from pydantic import Field

from govsim.world.fields import Probability, Spec

#: What the source says the switch did, quoted for the parameters that follow from it.
SOURCE = (
    "seed 002: 目前,武侯区共有88个小区落地信托制物业,物业矛盾纠纷同比减少9成以上,"
    "物业满意度同比提高近6成 (88 compounds; property disputes down 90%+, property "
    "satisfaction up nearly 60%)"
)


class ManagementModel(Spec):
    """The steady state a property management model gives its compounds."""

    quality: float = Field(
        ge=0.0,
        lt=1.0,
        description="service quality, 0–1 (< 1): the share of residents satisfied with "
        "the property service; problems arise ∝ 1 − quality",
    )
    trust: float = Field(
        ge=0.0,
        lt=1.0,
        description="residents' trust in the provider, 0–1 (< 1); a problem becomes a "
        "dispute ∝ 1 − trust",
    )


class PropertySpec(Spec):
    """Property service providers per compound and their management models (信托制物业)."""

    compounds_per_cell: int = Field(
        1,
        ge=1,
        le=1000,
        description="residential compounds in each cell, its households split evenly (≤ 1,000)",
    )
    trust_based_share: Probability = Field(
        0.0,
        description="share of compounds under trust-based management, spread evenly over "
        "the map (0: all conventional, the mechanism off; the policy lever)",
    )
    conventional: ManagementModel = Field(
        default_factory=lambda: ManagementModel(quality=0.5, trust=0.4),
        description="conventional management, the reference the incident rates describe "
        "(assumption: half the residents satisfied, trust 0.4)",
    )
    trust_based: ManagementModel = Field(
        default_factory=lambda: ManagementModel(quality=0.8, trust=0.85),
        description="trust-based management: quality 0.8 = 1.6 × the conventional 0.5 "
        "(source: satisfaction up nearly 60%, " + SOURCE + "); trust 0.85 is the "
        "assumption that, with that quality, disputes fall 90%",
    )
    problems: list[str] = Field(
        default_factory=list,
        description="incident types that arise ∝ 1 − quality (property service problems)",
    )
    disputes: list[str] = Field(
        default_factory=list,
        description="incident types that arise ∝ (1 − quality) × (1 − trust) (disputes "
        "with the provider)",
    )

    def problem_factor(self, model: ManagementModel) -> float:
        """How many times the conventional rate of property problems a model's compound has."""
        return (1.0 - model.quality) / (1.0 - self.conventional.quality)

    def dispute_factor(self, model: ManagementModel) -> float:
        """How many times the conventional rate of property disputes a model's compound has."""
        distrust = (1.0 - model.trust) / (1.0 - self.conventional.trust)
        return self.problem_factor(model) * distrust


def check_property(spec: PropertySpec, incident_types: list[str]) -> list[tuple[str, str]]:
    """(field path, problem) pairs: ``problems`` and ``disputes`` name incident types,
    none in both."""
    found = []
    for key in ("problems", "disputes"):
        for name in getattr(spec, key):
            if name not in incident_types:
                allowed = f"'{name}' is not an incident type: {incident_types}"
                found.append((f"property.{key}", allowed))
    both = sorted(set(spec.problems) & set(spec.disputes))
    if both:
        found.append(("property.disputes", f"{both} also in property.problems: name each once"))
    return found
