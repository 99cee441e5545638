"""Policy files: a named set of lever values laid over a scenario.

A policy is a YAML file with a ``name``, an optional ``description`` and any of the lever
sections of a scenario (``routing``, ``staffing``, ``departments``, ``incentives``,
``followup``, ``property``), written exactly as in a scenario file; a staffing headcount
may also be relative to the scenario's (``{add: 1}``, ``{times: 1.5}``: see
``govsim.world.levers``). ``govsim run SCENARIO --policy NAME_OR_FILE`` merges them over
the scenario; a name is a policy shipped with govsim (``policies/NAME.yaml`` in the
repository, found by ``govsim.shipped``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govsim import shipped
from govsim.errors import ScenarioError
from govsim.world.levers import parse_relative
from govsim.world.scenario import read_yaml, relative_levers

#: Scenario sections a policy may set: the levers a government controls.
LEVER_SECTIONS = ("routing", "staffing", "departments", "incentives", "followup", "property")
#: The keys of a policy file besides its lever sections, with their meaning.
POLICY_KEYS = {
    "name": "the policy's name in tables and figures, and for `--policy` (default: the "
    "file's name without `.yaml`)",
    "description": "what the policy changes and where it comes from, in a sentence or two",
}
#: The policies shipped with govsim, found by name.
POLICY_DIR = shipped.folder("policies")


@dataclass(frozen=True)
class Policy:
    """A named set of lever values; ``sections`` are merged over a scenario's."""

    name: str
    description: str = ""
    sections: dict[str, Any] = field(default_factory=dict)
    source: str = ""


#: The scenario as written: no sections changed.
STATUS_QUO = Policy("status_quo", "the scenario's own levers", {}, "")


def load_policy(name_or_path: str | Path, here: Path | None = None) -> Policy:
    """Load a policy from a file, or by name from the shipped policies.

    A file (relative to ``here``, default the current folder) wins over a shipped name;
    ``status_quo`` names the scenario's own levers. Raises ``ScenarioError`` for an
    unknown name, an unreadable file, a section that is not a lever or not a mapping, or a
    name or description that is not text.
    """
    text = str(name_or_path)
    if text == STATUS_QUO.name:
        return STATUS_QUO
    path = shipped.locate("policies", text, here)
    if path is None:
        known = ", ".join([STATUS_QUO.name, *shipped.names("policies")])
        raise ScenarioError(f"policy '{text}': no such policy; known: {known}")
    raw = read_yaml(path)
    unknown = sorted(set(raw) - {*POLICY_KEYS, *LEVER_SECTIONS})
    if unknown:
        raise ScenarioError(
            f"{path}: {unknown[0]}: not a policy section; allowed: "
            f"{', '.join([*POLICY_KEYS, *LEVER_SECTIONS])}"
        )
    for key in POLICY_KEYS:
        if key in raw and not isinstance(raw[key], str):
            raise ScenarioError(f"{path}: {key}: expected text, got {raw[key]!r}")
    for key in LEVER_SECTIONS:
        if key in raw and not isinstance(raw[key], dict):
            kind = type(raw[key]).__name__
            raise ScenarioError(f"{path}: {key}: expected a mapping of levers, got {kind}")
    sections = {key: raw[key] for key in LEVER_SECTIONS if key in raw}
    for dotted, value in relative_levers(sections):
        try:
            parse_relative(value, dotted)
        except ValueError as exc:
            raise ScenarioError(f"{path}: {exc}") from None
    return Policy(raw.get("name", path.stem), raw.get("description", ""), sections, str(path))


def check_distinct(policies: list[Policy]) -> None:
    """Raise ``ScenarioError`` if two of ``policies`` share a name: a comparison keys its
    runs by policy name, so two would be pooled into one (twice the replications)."""
    first: dict[str, Policy] = {}
    for policy in policies:
        other = first.setdefault(policy.name, policy)
        if other is not policy:
            where = f" ({other.source or 'built in'} and {policy.source or 'built in'})"
            same = other.source == policy.source
            raise ScenarioError(
                f"policy '{policy.name}' is named twice{'' if same else where}; "
                "each policy of a comparison needs its own name"
            )
