"""The column-mapping file: which of a platform's columns fill the canonical incident
table (:mod:`govsim.logs.columns`), how its times are written and what its names mean.

A mapping is a YAML file (``scenarios/mappings/*.yaml`` are shipped and can be named
without a path: ``nyc311``, ``grid_platform_zh``); :func:`load_mapping` reads and checks
it, naming the file, the field path and what is allowed when it is wrong.
"""

from __future__ import annotations

import codecs
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from govsim import shipped
from govsim.errors import LogError, ScenarioError
from govsim.world.fields import Spec
from govsim.world.scenario import describe_errors, format_problems, read_yaml

#: Where the shipped mappings live, inside the shipped scenarios.
MAPPINGS = "mappings"

Column = str | None


class Columns(Spec):
    """The log's column (its header text) that fills each canonical column; leave a
    column out when the log does not have it."""

    incident_id: str = Field(description="the incident's identifier (required)")
    type: str = Field(description="the incident's type as the platform names it (required)")
    category: Column = Field(None, description="the platform's broader category of the type")
    cell: Column = Field(None, description="the grid id the incident was reported in")
    latitude: Column = Field(None, description="degrees north (WGS 84), matched to the map")
    longitude: Column = Field(None, description="degrees east (WGS 84), matched to the map")
    created: Column = Field(None, description="when it was reported (required with rows: incident)")
    assigned: Column = Field(None, description="when a handler was first assigned")
    closed: Column = Field(None, description="when it was closed (empty while open)")
    unit: Column = Field(None, description="the unit that handled it (team, department)")
    tier: Column = Field(None, description="the tier it was closed at")
    channel: Column = Field(None, description="how it was reported (hotline, app, patrol …)")
    status: Column = Field(None, description="the platform's status at export")
    reopened: Column = Field(None, description="how many times it was reopened (integer)")

    def given(self) -> dict[str, str]:
        """Canonical column → the log's column, for the columns the log gives."""
        return {name: source for name, source in self.model_dump().items() if source}


class Times(Spec):
    """How the log writes times, and the zone to convert them to."""

    formats: list[str] = Field(
        default_factory=lambda: ["ISO8601"],
        min_length=1,
        description="strptime formats tried in turn (e.g. '%Y-%m-%d %H:%M:%S'); 'ISO8601' "
        "takes any ISO 8601 time; a format with %z reads an offset",
    )
    time_zone: str | None = Field(
        None,
        description="IANA zone the log's times are written in (e.g. 'Asia/Shanghai'); "
        "none: times are taken as local, as written",
    )
    local_time_zone: str | None = Field(
        None,
        description="IANA zone of the scenario's calendar the times are converted to; "
        "none: the log's own zone (no conversion)",
    )
    earliest: datetime = Field(
        datetime(2000, 1, 1),
        description="times before this are impossible (assumption: no platform log predates 2000)",
    )
    latest: datetime | None = Field(
        None,
        description="times after this are impossible; none: the moment the log is read "
        "(nothing can be reported in the future)",
    )

    @field_validator("time_zone", "local_time_zone")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"unknown time zone {zone!r}; allowed: IANA names such as "
                    "'Asia/Shanghai', 'America/New_York', 'UTC'"
                ) from None
        return zone

    @field_validator("earliest", "latest")
    @classmethod
    def _local_time(cls, when: datetime | None) -> datetime | None:
        if when is not None and when.tzinfo is not None:
            raise ValueError("a local time without a zone or offset, e.g. 2000-01-01")
        return when

    @property
    def local_zone(self) -> str | None:
        """The zone the table's times are in: ``local_time_zone``, else ``time_zone``."""
        return self.local_time_zone or self.time_zone


class StateChanges(Spec):
    """A log with one row per state change: which columns say when and which state, and
    which state values mean what."""

    time: str = Field(description="the column with the time of the change")
    state: str = Field(description="the column with the state entered")
    created: list[str] = Field(min_length=1, description="state values meaning reported")
    assigned: list[str] = Field(default_factory=list, description="values meaning assigned")
    closed: list[str] = Field(min_length=1, description="state values meaning closed")
    reopened: list[str] = Field(default_factory=list, description="values meaning reopened")
    other: list[str] = Field(
        default_factory=list,
        description="other known state values (e.g. 'in progress'): read but give no time; "
        "any value in no list is reported as an unknown state",
    )

    @field_validator("created", "assigned", "closed", "reopened", "other", mode="before")
    @classmethod
    def _text_states(cls, values: Any) -> Any:
        """State codes written as numbers in YAML (``closed: [4]``) are text."""
        if isinstance(values, list):
            return [str(v) if isinstance(v, int | float) else v for v in values]
        return values

    @model_validator(mode="after")
    def _distinct(self) -> StateChanges:
        seen: dict[str, str] = {}
        for meaning in ("created", "assigned", "closed", "reopened", "other"):
            for value in getattr(self, meaning):
                if value in seen:
                    raise ValueError(f"state {value!r} is in both {seen[value]} and {meaning}")
                seen[value] = meaning
        return self


class TypeTarget(Spec):
    """The model's incident type (and category) a platform type maps to."""

    type: str = Field(description="the scenario's incident type")
    category: str | None = Field(None, description="its category, where the log has none")


class LogMapping(Spec):
    """A platform's export, described: how to read it into the canonical incident table."""

    description: str = Field("", description="what export this maps (platform, version)")
    rows: Literal["incident", "state_change"] = Field(
        "incident", description="one row per incident, or one per state change"
    )
    encoding: str = Field(
        "utf-8", description="the file's text encoding (Chinese exports: 'gb18030')"
    )
    delimiter: str = Field(",", min_length=1, max_length=1, description="CSV field separator")
    columns: Columns = Field(description="the log's column for each canonical column")
    times: Times = Field(default_factory=Times, description="how times are written")
    state_change: StateChanges | None = Field(
        None, description="the states (rows: state_change only)"
    )
    types: dict[str, str | TypeTarget] = Field(
        default_factory=dict,
        description="platform type → the scenario's incident type (or {type, category}); "
        "types not listed are kept as the platform names them",
    )
    tiers: dict[str, str] = Field(
        default_factory=dict, description="platform tier → the scenario's tier name"
    )
    units: dict[str, str] = Field(
        default_factory=dict, description="platform unit → the name the table gives it"
    )
    cell_property: str | None = Field(
        None,
        description="GeoJSON feature property holding the grid id coordinates are matched "
        "to; none: the scenario's bottom tier when a scenario is given, else the feature id",
    )
    _source: str = PrivateAttr("<mapping>")

    @field_validator("types", "tiers", "units", mode="before")
    @classmethod
    def _text_keys(cls, names: Any) -> Any:
        """Platform codes written as numbers in YAML (``101: home_repair``) are text."""
        if isinstance(names, dict):
            return {str(k) if isinstance(k, int | float) else k: v for k, v in names.items()}
        return names

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, encoding: str) -> str:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(
                f"unknown encoding {encoding!r}; allowed: Python codec names such as "
                "'utf-8', 'utf-8-sig', 'gb18030', 'gbk'"
            ) from None
        return encoding

    @model_validator(mode="after")
    def _shape(self) -> LogMapping:
        given = self.columns.given()
        if self.rows == "incident":
            if self.state_change is not None:
                raise ValueError("state_change: only with rows: state_change")
            if "created" not in given:
                raise ValueError("columns.created: required with rows: incident")
        else:
            if self.state_change is None:
                raise ValueError("state_change: required with rows: state_change")
            timed = sorted({"created", "assigned", "closed", "reopened"} & set(given))
            if timed:
                raise ValueError(
                    f"columns.{timed[0]}: not with rows: state_change (the states give it)"
                )
        return self

    @property
    def source(self) -> str:
        """The file this mapping was read from (for messages)."""
        return self._source

    def type_targets(self) -> tuple[dict[str, str], dict[str, str]]:
        """Platform type → model type, and platform type → category (where given)."""
        types, categories = {}, {}
        for platform, target in self.types.items():
            if isinstance(target, str):
                types[platform] = target
            else:
                types[platform] = target.type
                if target.category is not None:
                    categories[platform] = target.category
        return types, categories


def mapping_names() -> list[str]:
    """The shipped mappings' names, sorted."""
    root = shipped.folder("scenarios") / MAPPINGS
    return sorted(p.stem for p in root.glob("*.yaml"))


def mapping_path(name_or_path: str | Path) -> Path:
    """The file ``name_or_path`` means: an existing file or a path ending in ``.yaml``
    (a file wins), else a shipped mapping's name. Raises :class:`LogError` naming the
    shipped ones."""
    path = Path(name_or_path)
    if path.is_file() or path.suffix in (".yaml", ".yml"):
        return path
    found = shipped.folder("scenarios") / MAPPINGS / f"{name_or_path}.yaml"
    if found.is_file():
        return found
    raise LogError(
        f"{name_or_path}: no such mapping file or shipped mapping; "
        f"shipped: {', '.join(mapping_names())}"
    )


def load_mapping(name_or_path: str | Path) -> LogMapping:
    """Read and check a mapping file (or a shipped mapping's name).

    Raises :class:`LogError` naming the file, the field path and what is allowed.
    """
    path = mapping_path(name_or_path)
    try:
        raw = read_yaml(path)
    except ScenarioError as exc:  # the same reading problems as a scenario's
        raise LogError(str(exc)) from None
    return validate_mapping(raw, str(path))


def validate_mapping(raw: dict[str, Any], source: str = "<mapping>") -> LogMapping:
    """Check a mapping given as plain data; ``source`` names it in messages."""
    try:
        mapping = LogMapping.model_validate(raw)
    except ValidationError as exc:
        lines = describe_errors(exc.errors(), LogMapping)
        raise LogError(format_problems(source, lines, what="log mapping")) from None
    mapping._source = source
    return mapping
