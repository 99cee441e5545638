"""Reference pages generated from the code: ``docs/scenarios.md``, ``docs/policies.md`` and
the parameter tables of ``docs/odd.md``.

The scenario reference walks the pydantic schema of ``govsim.world.scenario`` (every section
and field with its type, default, allowed values and description, the rules that span
fields); the policy reference reads every file in ``policies/`` and explains each lever
it sets with the schema's description of that field, and govsim's own routing rules, queue
disciplines and evaluation schemes from their registries and their classes' docstrings
(plugins are left out: the pages do not depend on what is installed). Nothing in the
pages is typed by hand twice, so they cannot drift from the code; ``tests/test_docs.py``
fails when the committed pages differ from what this module generates now. A hand-written
page may hold generated parts between ``<!-- generated: NAME -->`` and
``<!-- end generated -->`` (``PARTS``): the ODD model description's parameter tables, every
scenario and policy field with its source-or-assumed status read off its description.

    python -m govsim.reference           # (re)write the pages and the generated parts
    python -m govsim.reference --check   # exit 1, naming the stale pages (make docs fixes)
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from govsim.analysis.validation import PRESETS
from govsim.policies.files import (
    LEVER_SECTIONS,
    POLICY_DIR,
    POLICY_KEYS,
    STATUS_QUO,
    load_policy,
)
from govsim.registry import DISCIPLINES, EVALUATION, ROUTING, Registry
from govsim.world.scenario import (
    Scenario,
    annotation_range,
    cross_check,
    field_at,
    field_choices,
    field_range,
    headcount_minimum,
    read_with_base,
)

DOCS_DIR = Path(__file__).resolve().parents[1] / "docs"

#: What the keys of each mapping field name, shown as ``<placeholder>`` in paths.
KEY_NAMES = {
    "incidents": "type",
    "departments": "department",
    "sent_down": "department",
    "channels": "channel",
    "severity": "level",
    "deadline_h": "level",
    "handling": "tier",
    "resolvable_at": "tier",
    "per_parent": "tier",
    "office_staff": "tier",
    "handoff_h": "tier",
    "uncertain": "path",
}

GENERATED = (
    "Generated from {source} by `make docs` (`python -m govsim.reference`) — do not edit "
    "by hand: `tests/test_docs.py` fails when this page differs from what the code gives."
)


# --- the scenario schema ------------------------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    """``annotation`` without ``Annotated[...]`` wrappers."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _key(name: str) -> str:
    return f"<{KEY_NAMES.get(name, 'key')}>"


def _nested(annotation: Any, path: str, name: str) -> Iterator[tuple[type[BaseModel], str]]:
    """The models inside a field's type, each with the path prefix its fields take."""
    annotation = _unwrap(annotation)
    origin = get_origin(annotation)
    if _is_model(annotation):
        yield annotation, path
    elif origin is dict:
        yield from _nested(get_args(annotation)[1], f"{path}.{_key(name)}", name)
    elif origin is list:
        yield from _nested(get_args(annotation)[0], f"{path}[i]", name)
    elif origin in (Union, UnionType):
        for arg in get_args(annotation):
            yield from _nested(arg, path, name)


def schema_sections() -> list[tuple[type[BaseModel], list[str]]]:
    """Every model of the scenario schema, depth first from ``Scenario``, with the path
    prefixes (``incidents.<type>.``) under which its fields appear."""
    found: dict[type[BaseModel], list[str]] = {}

    def visit(model: type[BaseModel], prefix: str) -> None:
        found.setdefault(model, []).append(prefix)
        for name, field in model.model_fields.items():
            for inner, path in _nested(field.annotation, f"{prefix}{name}", name):
                visit(inner, path + ".")

    visit(Scenario, "")
    return list(found.items())


def type_label(annotation: Any) -> str:
    """A field's type as Markdown: models link to their section."""
    annotation = _unwrap(annotation)
    origin = get_origin(annotation)
    if _is_model(annotation):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if origin is Literal:
        return type(get_args(annotation)[0]).__name__
    if origin in (Union, UnionType):
        return " | ".join(type_label(arg) for arg in get_args(annotation))
    if origin in (dict, list, tuple):
        inner = ", ".join(type_label(arg) for arg in get_args(annotation))
        return f"{origin.__name__}[{inner}]"
    if annotation is NoneType:
        return "null"
    return getattr(annotation, "__name__", str(annotation))


def _plain(value: Any) -> Any:
    """``value`` as plain data (models dumped), for YAML."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def default_label(field: FieldInfo) -> str:
    """A field's default as inline YAML, ``required`` if it has none, or a pointer to the
    section whose own defaults apply."""
    if field.is_required():
        return "required"
    value = field.default if field.default is not PydanticUndefined else field.default_factory()
    if isinstance(value, BaseModel):
        return "its section"
    return f"`{_yaml_inline(_plain(value))}`"


def _yaml_inline(value: Any) -> str:
    """Plain data as one line of YAML flow style, keys in their order."""
    text = yaml.safe_dump(
        value, default_flow_style=True, width=1000, allow_unicode=True, sort_keys=False
    )
    return text.strip().removesuffix("...").strip()


def allowed_label(field: FieldInfo) -> str:
    """What a field allows: choices, bounds, sizes, and bounds on a mapping's values or a
    list's items."""
    own = field_range(field, plugins=False).replace(" | ", ", ")
    annotation = _unwrap(field.annotation)
    parts = [f"one of {own}" if field_choices(field, plugins=False) is not None else own]
    origin = get_origin(annotation)
    if origin in (dict, list):
        inner = annotation_range(get_args(annotation)[-1]).replace(" | ", ", ")
        if inner:
            parts.append(f"each {'value' if origin is dict else 'item'}: {inner}")
    return "; ".join(part for part in parts if part)


def _leaf_path(prefix: str, name: str, field: FieldInfo) -> str:
    """The dotted path of a field, with a placeholder for a mapping's key."""
    path = f"{prefix}{name}"
    return f"{path}.{_key(name)}" if get_origin(_unwrap(field.annotation)) is dict else path


def _cell(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")


def schema_fields() -> Iterator[tuple[type[BaseModel], list[str], str, FieldInfo]]:
    """Every field of the scenario schema, section by section as ``schema_sections`` gives
    them: (model, its path prefixes, field name, field)."""
    for model, prefixes in schema_sections():
        for name, field in model.model_fields.items():
            yield model, prefixes, name, field


def field_cells(prefix: str, name: str, field: FieldInfo) -> dict[str, str]:
    """A field's cells in a parameter table: ``path``, ``type``, ``default``, ``allowed``
    and ``meaning`` (its description), as Markdown."""
    return {
        "path": f"`{_leaf_path(prefix, name, field)}`",
        "type": type_label(field.annotation),
        "default": default_label(field),
        "allowed": allowed_label(field).replace("[", "\\["),  # a pattern's [a-z] is no link
        "meaning": field.description or "",
    }


def _table_row(cells: list[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _model_section(model: type[BaseModel], prefixes: list[str]) -> list[str]:
    doc = inspect.getdoc(model) or ""
    where = ", ".join(f"`{p.rstrip('.')}`" for p in prefixes) if prefixes != [""] else ""
    lines = [f"### {model.__name__}", ""]
    if where:
        lines += [f"Path: {where}", ""]
    lines += [doc, ""]
    if any("[i]" in p for p in prefixes):
        lines += [
            "Entries of a list have no dotted path of their own: `--set` replaces the whole "
            "list, written as YAML.",
            "",
        ]
    columns = ["path", "type", "default", "allowed", "meaning"]
    lines += [_table_row(columns), "|---" * len(columns) + "|"]
    for name, field in model.model_fields.items():
        cells = field_cells(prefixes[0], name, field)
        lines.append(_table_row([cells[c] for c in columns]))
    return [*lines, ""]


def _rules() -> str:
    """The cross-field rules, as the bullet list in ``cross_check``'s docstring."""
    doc = inspect.getdoc(cross_check) or ""
    return doc.split("\n\n", 1)[1] if "\n\n" in doc else ""


SCENARIO_INTRO = """\
A scenario is a YAML file of sections (`scenarios/demo.yaml` is a commented example).
Times are in hours, rates per year per unit of the incident type's `per` (a household by
default). Every file is validated before anything runs: an unknown key, a value out of
range, a tier or department that does not exist is refused with one message naming the
file, the field path and what is allowed, e.g.

```text
govsim: scenarios/mine.yaml: invalid scenario (1 problem)
  incidents.shop_noise.departments: department 'police' does not exist; defined: \
['environment', 'market_regulation', 'utilities']
```

`govsim check FILE` validates files without running them; `govsim params FILE` lists every
parameter of one file with its value, type, allowed range and meaning.

## Building on a base file (`base:`)

`base: FILE` names another scenario file, relative to this one, that this file is laid
over. {base}

A mapping in the file is merged key by key into the base's (so a preset can change one
incident type's rate and keep the rest of its definition); any other value, a list
included, replaces the base's. `scenarios/kongtong.yaml` starts with
`base: common/city.yaml`, the incident catalogue the five seed presets share.

A policy (`--policy NAME_OR_FILE`, [policies.md](policies.md)) is laid over the scenario
the same way, then the `--set` overrides.

## Parameter paths (`--set`, `govsim params`, specs)

Every value has a dotted path: the section, the field, and for a mapping its key —
`staffing.grid_workers_per_grid`, `incidents.neighbour_dispute.rate`,
`routing.handoff_h.street`, `incidents.home_repair.severity.2` (severity levels are
integers), `incidents.home_repair.handling.default.mean_h`. In the tables below a
mapping's key is shown as a placeholder (`<type>`, `<tier>`, `<department>`, `<level>`).
The same paths are used by

- `--set PATH=VALUE` on `govsim run`, `compare`, `params`, `plan` and `calibrate` (the
  value is read as YAML:
  `--set 'staffing.surge=[{{tier: grid, extra: 2, start_day: 60, days: 30}}]'`);
- `overrides={{PATH: VALUE}}` of `govsim.Sim`, `Comparison` and `load_scenario`;
- the `parameters` of experiment and sensitivity specs
  ([experiments.md](experiments.md), [sensitivity.md](sensitivity.md));
- the `uncertain` ranges a calibration fits ([calibration.md](calibration.md)).

A path must name a parameter of the file (as `govsim params` lists them) or a field the
schema has inside a section that exists (an incident type's `worsen_h` left at its
default); anything else is refused with the closest known paths, so a typo never
creates a new incident type or department silently.

## Uncertain parameters (`uncertain:`)

```yaml
uncertain:                       # dotted path: [low, high]
  incidents.neighbour_dispute.rate: [0.05, 0.4]
  routing.verify_h: [0.25, 6.0]
```

The parameters whose values the sources do not give, with the range they may take.
`govsim calibrate PRESET` fits them to the preset's targets
([calibration.md](calibration.md)); nothing else reads them, so a run uses the value the
file gives. Each key must be a numeric parameter of the scenario and each range needs
low < high. List only parameters a fit figure can pin: with more uncertain parameters than
fit figures, or one the figures leave free, a preset is labelled under-determined, not
calibrated ([calibration.md](calibration.md#degrees-of-freedom-identification-and-the-label)).

## Working time (`calendar`, `rosters`)

Without `rosters` every handler is on duty around the clock and paid for every hour. A
roster names shifts and says which shift each group of handlers works:

```yaml
calendar:
  start_date: 2025-01-01
  holidays: cn        # China's statutory holidays 2018–2026 (shipped), a list of ISO
  workdays: cn        # dates, or a CSV beside the scenario (date[,kind[,name]])
rosters:
  shifts:
    office: {{start_h: 8.5, hours: 9, days: workdays}}   # 08:30–17:30, working days
    night: {{start_h: 17.5, hours: 15}}                  # 17:30–08:30, every day
  grid_workers: [{{shift: office}}]
  office_staff:
    community: [{{shift: office}}]
  departments:
    market_regulation: [{{shift: office}}]
  duty_desk: {{tier: street, staff: 2, shifts: [night], from_tier: community}}
  out_of_hours: {{action: duty_desk, call_out_from_severity: 3}}
  on_call: {{delay_h: 1, min_paid_h: 2}}
  overtime_rate: 1.5
```

- **Groups**: `grid_workers`, `part_time` (per grid), `office_staff.<tier>`,
  `departments.<department>` (at its own desk), `sent_down.<department>` (per office),
  each a list of crews. A group left out works around the clock. Part-timers without a
  roster work `staffing.part_time`'s daily shift (`start_h`, `hours`), as before; surge
  crews stay on duty around the clock while their surge lasts.
- **Crews**: `{{shift: NAME}}` puts every handler of each desk of the group on that shift;
  `{{shift: NAME, staff: N}}` puts N of them (in hiring order, after the crews before it).
  When any crew gives `staff`, the counts must add up to the group's handlers per desk.
  One desk with 5 handlers 08:00–20:00 and 2 handlers 20:00–08:00 every day:

  ```yaml
  staffing: {{grid_workers_per_grid: 7}}
  rosters:
    shifts:
      day: {{start_h: 8, hours: 12}}
      night: {{start_h: 20, hours: 12}}
    grid_workers: [{{shift: day, staff: 5}}, {{shift: night, staff: 2}}]
  ```

- **Shifts**: `start_h` (0–24), `hours` (up to 24; a shift may run past midnight) and
  `days`: `all`, `workdays` (Monday–Friday and make-up working days, not holidays),
  `days_off`, `weekdays`, `weekends` or `holidays` — the day the shift starts. A shift
  of the day before the run that runs past midnight is on from the run's start.
- **Rounds**: a grid worker's patrols and door-to-door visits (`staffing.patrols_per_day`,
  `visits_per_week`) are made on the days their shift runs, each at a time uniform over
  that day's shifts (an assumption; a night shift's rounds run into the next morning);
  none on a day without a shift. Grid workers on duty around the clock (no roster) and
  volunteers make theirs uniformly over `staffing.rounds_hours` (default `[8, 20]`,
  08:00–20:00, an assumption), every day. A round finds what is hidden in the cell at its
  own time, and what it finds is reported then, so the hour of a found incident's report
  is the hour of the round. `rounds_hours: null` makes every round at the daily tick,
  midnight, as before 0.2.0.
- **Overtime**: a handler busy when their shift ends finishes the job; the hours past the
  end are overtime, paid at `overtime_rate` times.
- **Out of hours**: an incident reaching a desk with nobody on shift `wait`s for the next
  shift, goes to the `duty_desk` of its region (a desk at each office of `duty_desk.tier`,
  staffed on its `shifts`, taking the work of its own tier's offices and the tiers below
  from `from_tier` up, if it is staffed then; else it waits), or has a handler of the
  desk called out (`call_out`: one who is off duty comes after `on_call.delay_h`, takes
  the waiting jobs while the desk stays closed, and is paid at least
  `on_call.min_paid_h`).
  `call_out_from_severity: N` calls out from severity N on whatever `action` says.
- **Paid hours**: staff cost counts paid hours (rostered hours, overtime at its rate,
  call-outs at least their minimum); `govsim run --json` reports them under `hours`,
  with on-duty hours, overtime hours, call-outs and the out-of-hours incidents (their
  share and their wait from report to a handler starting, against the others').

## Rules across fields

Besides each field's own range, a scenario must satisfy:

{rules}

## Sections

{contents}
"""


def scenario_reference() -> str:
    """``docs/scenarios.md``: the scenario file format from the schema."""
    sections = schema_sections()
    contents = "\n".join(
        f"- [{model.__name__}](#{model.__name__.lower()})" for model, _ in sections
    )
    base_doc = inspect.getdoc(read_with_base) or ""
    lines = [
        "# Scenario file reference",
        "",
        GENERATED.format(source="the schema in `govsim/world/scenario.py`"),
        "",
        SCENARIO_INTRO.format(
            base=base_doc.split("\n\n", 1)[-1], rules=_rules(), contents=contents
        ),
    ]
    for model, prefixes in sections:
        lines += _model_section(model, prefixes)
    return "\n".join(lines).rstrip() + "\n"


# --- the policies -------------------------------------------------------------------------


def _policy_section(path: Path) -> list[str]:
    policy = load_policy(path)
    lines = [
        f"#### {policy.name}",
        "",
        f"`policies/{path.name}` — `--policy {policy.name}`",
        "",
        " ".join(policy.description.split()),
        "",
        "| lever | value | meaning |",
        "|---|---|---|",
    ]
    for lever, value in _lever_leaves(policy.sections):
        field = field_at(lever)
        meaning = field.description if field is not None and field.description else ""
        lines.append(f"| `{lever}` | `{_cell(_yaml_inline(value))}` | {_cell(meaning)} |")
    return [*lines, ""]


def _lever_leaves(layer: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """A policy's levers by dotted path, a relative headcount (``{add: 1}``) as one lever."""
    for key, value in layer.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and headcount_minimum(path) is None:
            yield from _lever_leaves(value, path + ".")
        else:
            yield path, value


def _described_classes(registry: Registry, section: str) -> list[str]:
    """One sub-section per class govsim registers (plugins left out), from its docstring."""
    lines = []
    for entry in registry.entries(plugins=False):
        lines += [f"### `{section}: {entry.name}`", "", inspect.getdoc(entry.cls) or "", ""]
    return lines


POLICY_INTRO = """\
A policy is a small YAML file holding the levers a government controls: any of the
scenario sections {sections}, written exactly as in a scenario file
([scenarios.md](scenarios.md)), plus a `name` and a `description`. It is merged over the
scenario key by key (`govsim run FILE --policy NAME` takes the shipped
`policies/NAME.yaml`, installed with govsim; `--policy path/to/mine.yaml` takes a file, and
a file wins over a shipped name), before any `--set` override. `{status_quo}`
names the scenario as written. `govsim compare`, `Comparison` and experiments run every
policy on the same seeds, so differences between policies are paired replication by
replication.

```yaml
# policies/whistle_and_report.yaml
name: whistle_and_report
description: >
  Street whistles, departments report ...
routing:
  policy: whistle
  whistle: {{response_h: 2}}
```

## Routing rules (`routing.policy`)

A desk resolves an incident when its tier is at or above the incident's level, the lowest
tier able to resolve it (drawn from the type's `resolvable_at`); otherwise it hands the
incident on. The routing policy decides where a verified incident goes first and where it
goes next; its settings are the `routing` section ([Routing](scenarios.md#routing)).

{routers}
With `routing.overdue_escalation: true`, under any policy, an incident still waiting in a
queue when its deadline passes is handed on from that desk as if it could not resolve it
(one tier up under `tiered`).

## Queue disciplines (`routing.discipline`)

Which waiting incident a desk serves next. Ties are served in order of arrival.

{disciplines}
## Evaluation schemes (`incentives.points.scheme`)

How grid workers are scored every 30 days when `incentives.points.enabled` is true, and
the effort the score leaves them with.

{schemes}
Routing rules, disciplines and evaluation schemes are plug-ins: a package can add its own
([extending.md](extending.md)).

## Relative headcounts

A staffing headcount in a policy — `staffing.grid_workers_per_grid`,
`staffing.office_staff.<tier>`, `staffing.part_time.per_grid`,
`staffing.volunteers_per_cell`, `staffing.sent_down.<department>.staff`,
`departments.<department>.staff` — may be given relative to the scenario's own value, so
that one policy means the same change on every preset:

| form | meaning | on the command line |
|---|---|---|
| `{{add: 1}}` | one more (`{{add: -1}}`: one fewer) | `+1` (`-1`) |
| `{{times: 1.5}}` | 1.5 times as many, to the nearest whole number, halves up (3 → 5) | `x1.5` |

(`*1.5` and `×1.5` work too: `--set staffing.grid_workers_per_grid=+1`.) In a YAML file
write the mapping, or quote the text (`"+1"`): unquoted, `+1` is the number 1. The change
applies to the scenario's value (for `--set`, after the policy). A result below the
field's minimum is refused, naming the field path and the forms allowed, never clipped:

```text
govsim: scenarios/demo.yaml: staffing.office_staff.community: {{add: -3}} makes 0 of the \
scenario's 3; the field's minimum is 1; allowed: a whole number, {{add: N}} (N a whole \
number, may be negative), {{times: K}} (K > 0), or the text '+N', '-N', 'xK' ('*K', '×K')
```

A plain number stays absolute: `generalist_windows` and `specialist_windows` set six
community staff, the same six on every preset so the pair compares like with like (fewer
than Wuhou's 17); `six_plus_x` leaves each department one handler at home and stations the
rest below.

## Property management (`property`)

Each map cell holds `property.compounds_per_cell` residential compounds, each run by a
property service provider under a conventional or a trust-based model (信托制物业: fees and
public-area income held in trust, open accounts, residents' oversight). A model gives its
compounds a service quality q and residents' trust in the provider τ; relative to a
conventional compound (q₀, τ₀), the incident types in `property.problems` occur at
(1 − q) / (1 − q₀) times their rate and those in `property.disputes` at
(1 − q) / (1 − q₀) × (1 − τ) / (1 − τ₀). The lever is `property.trust_based_share`, the
share of compounds under trust-based management (0, the default: the mechanism is off).
With the defaults (q₀ 0.5, τ₀ 0.4; trust-based q 0.8, τ 0.85) a trust-based compound has
0.4 × the property problems and 0.1 × the property disputes: Wuhou's "property disputes
down 90%+, satisfaction up nearly 60%" (seed 002). The trust-based quality follows from
the satisfaction figure, the other levels are assumptions chosen to meet the disputes'
figure; `scenarios/wuhou.yaml` states each with its plausible range (the figures do not
pin them, so none is fitted).

## The policies in `policies/`

Each table lists the levers the file sets, as dotted paths, with the scenario field's
meaning. Run one with `govsim run scenarios/demo.yaml --policy NAME`, or compare several
with `govsim compare scenarios/demo.yaml --policy status_quo --policy NAME`.

### Levers
"""


def policy_reference(folder: Path = POLICY_DIR) -> str:
    """``docs/policies.md``: routing rules, queue disciplines and every policy file."""
    files = sorted(folder.glob("*.yaml"))
    levers = [p for p in files if p.stem not in PRESETS]
    presets = [p for p in files if p.stem in PRESETS]
    intro = POLICY_INTRO.format(
        sections=", ".join(f"`{s}`" for s in LEVER_SECTIONS),
        status_quo=STATUS_QUO.name,
        routers="\n".join(_described_classes(ROUTING, "policy")),
        disciplines="\n".join(_described_classes(DISCIPLINES, "discipline")),
        schemes="\n".join(_described_classes(EVALUATION, "scheme")),
    )
    lines = [
        "# Policies reference",
        "",
        GENERATED.format(source="`policies/*.yaml` and `govsim/policies/`"),
        "",
        intro,
        "One lever or a few, to compare one at a time:",
        "",
        ", ".join(f"[{p.stem}](#{p.stem})" for p in levers),
        "",
        "### Seed presets' policies",
        "",
        "Each seed preset's reform as it describes it (`scenarios/NAME.yaml` runs under "
        "`policies/NAME.yaml`; see [calibration.md](calibration.md)):",
        "",
        ", ".join(f"[{p.stem}](#{p.stem})" for p in presets),
        "",
    ]
    for path in [*levers, *presets]:
        lines += _policy_section(path)
    return "\n".join(lines).rstrip() + "\n"


# --- the ODD description's parameter tables ------------------------------------------------

#: What in a field's description traces its value to a source: a seed text (``seed 002``,
#: a preset's own words), a law or regulation, or ``source:``.
SOURCED = re.compile(
    r"seed \d{3}|\bsource\b|Labour Law|State Council|\b(Zhenyuan|Helong|Wuhou|Yuyao|Kongtong)\b"
)
#: A field's status in the ODD tables, by what its description says.
STATUSES = {
    "source": "its description quotes a source text, a preset's own words or a law",
    "source + **assumed**": "a source gives the mechanism or part of the value, an "
    "assumption the rest",
    "**assumed**": "no source gives it: its description says *assumption*",
    "input": "a value each scenario gives (a preset from its own text: the preset's file "
    "says where each value comes from); the default is a placeholder or neutral",
    "section": "a group of fields, each listed in its own table",
}


def provenance(field: FieldInfo) -> str:
    """A field's status (a key of ``STATUSES``) from its description: sourced, assumed,
    both, a section, or an input each scenario gives."""
    text = field.description or ""
    sourced = SOURCED.search(text) is not None
    assumed = "assumption" in text
    if sourced and assumed:
        return "source + **assumed**"
    if sourced or assumed:
        return "source" if sourced else "**assumed**"
    holds_sections = any(True for _ in _nested(field.annotation, "", ""))
    return "section" if holds_sections else "input"


def is_lever(path: str) -> bool:
    """Whether the parameter at ``path`` is a lever a policy file may set."""
    return path.split(".", 1)[0] in LEVER_SECTIONS


def odd_parameters() -> str:
    """The parameter tables of ``docs/odd.md``: every scenario field, section by section,
    with its type, default, meaning, status and whether a policy may set it; then the keys
    of a policy file; and the count of fields by status."""
    columns = ("path", "type", "default", "meaning")
    counts = dict.fromkeys(STATUSES, 0)
    lines: list[str] = []
    for model, prefixes in schema_sections():
        where = ", ".join(f"`{p.rstrip('.')}`" for p in prefixes) if prefixes != [""] else ""
        lines += [f"#### {model.__name__}", ""]
        if where:
            lines += [f"Path: {where}", ""]
        lines += [
            _table_row([*columns, "status", "lever"]),
            "|---" * (len(columns) + 2) + "|",
        ]
        for name, field in model.model_fields.items():
            cells = field_cells(prefixes[0], name, field)
            status = provenance(field)
            counts[status] += 1
            lever = "yes" if is_lever(f"{prefixes[0]}{name}") else ""
            lines.append(_table_row([*(cells[c] for c in columns), status, lever]))
        lines.append("")
    policy = [
        "#### Policy files",
        "",
        "A policy file (`policies/*.yaml`, [policies.md](policies.md)) holds these keys; "
        "every lever it sets is a scenario field marked *lever* above, under the same path.",
        "",
        "| path | type | default | meaning |",
        "|---|---|---|---|",
        *(
            _table_row([f"`{key}`", "str", "the file's name" if key == "name" else "`''`", text])
            for key, text in POLICY_KEYS.items()
        ),
        *(
            _table_row(
                [
                    f"`{section}`",
                    type_label(Scenario.model_fields[section].annotation),
                    "none: the scenario's own",
                    f"levers of the scenario's `{section}` section, merged over it key by key",
                ]
            )
            for section in LEVER_SECTIONS
        ),
        "",
    ]
    total = sum(counts.values())
    summary = [
        f"{total} scenario fields: "
        + ", ".join(f"{n} {status.replace('*', '')}" for status, n in counts.items())
        + ".",
        "",
        "| status | meaning |",
        "|---|---|",
        *(_table_row([status, meaning]) for status, meaning in STATUSES.items()),
        "",
    ]
    return "\n".join([*summary, *lines, *policy]).rstrip() + "\n"


# --- writing and checking -----------------------------------------------------------------

#: The generated pages, by file name in ``docs/``.
PAGES: dict[str, Callable[[], str]] = {
    "scenarios.md": scenario_reference,
    "policies.md": policy_reference,
}


#: Hand-written pages with generated parts: page → part name → its builder.
PARTS: dict[str, dict[str, Callable[[], str]]] = {"odd.md": {"parameters": odd_parameters}}
END_PART = "<!-- end generated -->"


def splice(text: str, part: str, body: str) -> str:
    """``text`` with the generated part ``part`` (between ``<!-- generated: PART -->`` and
    ``END_PART``) replaced by ``body``. Raises ``ValueError`` if the markers are missing."""
    start = f"<!-- generated: {part} -->"
    head, found, rest = text.partition(start)
    _, found_end, tail = rest.partition(END_PART)
    if not (found and found_end):
        raise ValueError(f"no '{start}' … '{END_PART}' markers")
    note = GENERATED.format(source="the schema").replace("this page", "this part")
    return f"{head}{start}\n\n{note}\n\n{body}\n{END_PART}{tail}"


def with_parts(name: str, folder: Path = DOCS_DIR) -> str:
    """Page ``name`` of ``folder`` (of ``docs/`` if it has none yet) with every generated
    part as the code gives it now."""
    page = folder / name if (folder / name).exists() else DOCS_DIR / name
    text = page.read_text(encoding="utf-8")
    for part, build in PARTS[name].items():
        text = splice(text, part, build())
    return text


def _current(folder: Path) -> dict[str, Callable[[], str]]:
    """Every generated page and page with generated parts, and what it should hold."""
    pages = dict(PAGES)
    for name in PARTS:
        pages[name] = lambda name=name: with_parts(name, folder)
    return pages


def write(folder: Path = DOCS_DIR) -> list[Path]:
    """Write every generated page, and the generated parts of pages, into ``folder``;
    returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in _current(folder).items():
        path = folder / name
        path.write_text(build(), encoding="utf-8")
        written.append(path)
    return written


def stale(folder: Path = DOCS_DIR) -> list[str]:
    """The generated pages (and pages with generated parts) in ``folder`` that are missing
    or differ from the code's."""
    return [
        name
        for name, build in _current(folder).items()
        if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != build()
    ]


def main(argv: list[str] | None = None) -> int:
    """``python -m govsim.reference [--check] [--out DIR]``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m govsim.reference", description="Write the generated reference pages."
    )
    parser.add_argument("--out", type=Path, default=DOCS_DIR, help="folder (default docs/)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a page is stale")
    args = parser.parse_args(argv)
    if args.check:
        old = stale(args.out)
        for name in old:
            print(f"{args.out / name} is out of date: run `make docs`", file=sys.stderr)
        return 1 if old else 0
    for path in write(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
