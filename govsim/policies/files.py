"""Policy files: a named set of lever values laid over a scenario.

A policy is a YAML file with a ``name``, an optional ``description`` and any of the lever
sections of a scenario (``routing``, ``staffing``, ``departments``, ``incentives``,
``followup``), written
exactly as in a scenario file. ``govsim run SCENARIO --policy NAME_OR_FILE`` merges them
over the scenario; a name is looked up as ``policies/NAME.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govsim.errors import ScenarioError
from govsim.world.scenario import read_yaml

#: Scenario sections a policy may set: the levers a government controls.
LEVER_SECTIONS = ("routing", "staffing", "departments", "incentives", "followup")
POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"


@dataclass(frozen=True)
class Policy:
    """A named set of lever values; ``sections`` are merged over a scenario's."""

    name: str
    description: str = ""
    sections: dict[str, Any] = field(default_factory=dict)
    source: str = ""


#: The scenario as written: no sections changed.
STATUS_QUO = Policy("status_quo", "the scenario's own levers", {}, "")


def load_policy(name_or_path: str | Path) -> Policy:
    """Load a policy from a file path, or by name from the ``policies/`` folder.

    ``status_quo`` names the scenario's own levers. Raises ``ScenarioError`` for an
    unknown name, an unreadable file, a section that is not a lever or not a mapping, or a
    name or description that is not text.
    """
    text = str(name_or_path)
    if text == STATUS_QUO.name:
        return STATUS_QUO
    path = Path(text)
    if not path.suffix:
        path = POLICY_DIR / f"{text}.yaml"
        if not path.exists():
            known = sorted(p.stem for p in POLICY_DIR.glob("*.yaml"))
            raise ScenarioError(
                f"policy '{text}': no such policy; known: {', '.join([STATUS_QUO.name, *known])}"
            )
    raw = read_yaml(path)
    unknown = sorted(set(raw) - {"name", "description", *LEVER_SECTIONS})
    if unknown:
        raise ScenarioError(
            f"{path}: {unknown[0]}: not a policy section; allowed: name, description, "
            f"{', '.join(LEVER_SECTIONS)}"
        )
    for key in ("name", "description"):
        if key in raw and not isinstance(raw[key], str):
            raise ScenarioError(f"{path}: {key}: expected text, got {raw[key]!r}")
    for key in LEVER_SECTIONS:
        if key in raw and not isinstance(raw[key], dict):
            kind = type(raw[key]).__name__
            raise ScenarioError(f"{path}: {key}: expected a mapping of levers, got {kind}")
    sections = {key: raw[key] for key in LEVER_SECTIONS if key in raw}
    return Policy(raw.get("name", path.stem), raw.get("description", ""), sections, str(path))
