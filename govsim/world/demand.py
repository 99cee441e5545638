"""Demand over time: hour-of-day, weekday and monthly profiles, and dated windows.

Without this section incidents occur at a constant rate (a stationary Poisson process).
With it, the rate of incident type ``k`` in cell ``c`` at hour ``t`` of the run is

    rate[k] × exposure[c, k] × hour[k][h(t)] × weekday[k][w(t)] × month[k][m(t)]
            × Π factor of the windows open on t's date that apply to k

where ``h``, ``w`` and ``m`` are the hour (0–23), weekday (0 Monday … 6 Sunday) and month
(1–12) of ``t`` on the calendar (day 0 of a run starts at midnight of
``calendar.start_date``). Each profile is normalised to mean 1 — the hour profile over
the 24 hours, the weekday profile over the 7 days, the monthly profile over the year
with each month weighted by its mean length in days — so a type's ``rate`` stays its
long-run yearly mean outside windows; windows multiply on top (they add demand).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from govsim.world.fields import Spec

HOURS, WEEKDAYS, MONTHS = 24, 7, 12
#: Mean days of each month over the 400-year Gregorian cycle (February 28.2425): the
#: weights of the monthly profile's mean, so that a normalised profile keeps a year's total.
MONTH_DAYS = np.array([31, 28.2425, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
#: The columns of a profile CSV file (see ``DemandSpec.csv``).
CSV_COLUMNS = ("profile", "part", "slot", "multiplier")
#: The slots of each part of a profile: hour 0–23, weekday 0 (Monday) – 6, month 1–12.
SLOTS = {"hour": range(HOURS), "weekday": range(WEEKDAYS), "month": range(1, MONTHS + 1)}

#: A relative multiplier before normalisation: only ratios count.
Multiplier = Annotated[float, Field(ge=0.0, le=1e6)]


def _multipliers(length: int, what: str) -> object:
    return Field(
        None,
        min_length=length,
        max_length=length,
        description=f"{length} relative multipliers, {what}; ≥ 0, not all 0 (normalised "
        "to mean 1; none: flat)",
    )


class Profile(Spec):
    """One named demand profile: relative multipliers by hour, weekday and month.

    A part left out is flat. Only ratios count: each part is normalised to mean 1.
    """

    hour: list[Multiplier] | None = _multipliers(HOURS, "hour 0 (00:00–01:00) first")
    weekday: list[Multiplier] | None = _multipliers(WEEKDAYS, "Monday first")
    month: list[Multiplier] | None = _multipliers(MONTHS, "January first")

    @field_validator("hour", "weekday", "month")
    @classmethod
    def _not_all_zero(cls, values: list[float] | None) -> list[float] | None:
        if values is not None and not any(values):
            raise ValueError("all multipliers are 0: at least one must be > 0")
        return values

    def normalised(self, part: Literal["hour", "weekday", "month"]) -> np.ndarray:
        """The part's multipliers scaled to mean 1 (months weighted by their length);
        ones when the part is left out or flat."""
        values = getattr(self, part)
        size = len(SLOTS[part])
        if values is None or max(values) - min(values) <= 1e-12 * max(values):
            return np.ones(size)  # flat: exactly 1, so that it samples as no profile does
        array = np.asarray(values, dtype=float)
        weights = MONTH_DAYS if part == "month" else np.ones(size)
        return array * weights.sum() / (array * weights).sum()


class DemandWindow(Spec):
    """A dated window (tourist season, campaign, flood season, festival) that multiplies
    the rates of some incident types on each day from ``start`` to ``end``."""

    name: str = Field(description="what the window is, for tables (e.g. tourist season)")
    start: dt.date = Field(description="first day (ISO date, e.g. 2025-07-01)")
    end: dt.date = Field(description="last day, included (ISO date)")
    factor: float = Field(
        ge=0.0,
        le=100.0,
        description="multiplier of the rates on those days; 0–100 (0: no occurrences; a "
        "hundredfold is beyond any festival)",
    )
    incidents: list[str] | Literal["all"] = Field(
        "all", description="incident types it applies to, or 'all'"
    )
    yearly: bool = Field(
        False,
        description="repeat every year on the same dates (the years of start and end are "
        "ignored; end before start wraps over the new year)",
    )

    @model_validator(mode="after")
    def _ordered(self) -> DemandWindow:
        if not self.yearly and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def open_on(self, dates: list[dt.date]) -> np.ndarray:
        """Whether the window is open on each of ``dates`` (a boolean array)."""
        if not self.yearly:
            return np.array([self.start <= d <= self.end for d in dates], dtype=bool)
        first, last = (self.start.month, self.start.day), (self.end.month, self.end.day)
        days = [(d.month, d.day) for d in dates]
        if first <= last:
            return np.array([first <= d <= last for d in days], dtype=bool)
        return np.array([d >= first or d <= last for d in days], dtype=bool)

    def applies_to(self, kind: str) -> bool:
        """Whether the window changes the rate of incident type ``kind``."""
        return self.incidents == "all" or kind in self.incidents


class DemandSpec(Spec):
    """Demand over time: named profiles assigned to incident types, and dated windows.

    Left empty, every rate is constant in time. Each profile is normalised to mean 1, so
    a type's ``rate`` stays its long-run yearly mean; windows multiply on top. The guide,
    with the YAML and CSV formats: docs/demand.md.
    """

    csv: str | None = Field(
        None,
        description="CSV file of more profiles, relative to the scenario file: columns "
        "profile, part (hour, weekday or month), slot (hour 0–23, weekday 0 Monday – 6, "
        "month 1–12), multiplier; each part given lists every slot once",
    )
    profiles: dict[str, Profile] = Field(
        default_factory=dict, description="named profiles (hour, weekday, month multipliers)"
    )
    default: str | None = Field(
        None, description="profile of the incident types `assign` leaves out (none: flat)"
    )
    assign: dict[str, str] = Field(
        default_factory=dict, description="profile of each incident type, by type name"
    )
    windows: list[DemandWindow] = Field(
        default_factory=list, description="dated windows multiplying rates on top"
    )

    @field_validator("csv")
    @classmethod
    def _read_csv(cls, name: str | None, info: ValidationInfo) -> str | None:
        """The file's path, resolved from the scenario's folder (``base_dir`` in the
        validation context), once its profiles have been read and checked."""
        if name is None:
            return None
        path = Path(name)
        base_dir = (info.context or {}).get("base_dir")
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        read_profiles(path)
        return str(path)

    @property
    def active(self) -> bool:
        """Whether any incident type has a profile or any window is given."""
        return bool(self.default or self.assign or self.windows)

    def all_profiles(self) -> dict[str, Profile]:
        """The profiles given here and those of the ``csv`` file."""
        from_file = read_profiles(Path(self.csv)) if self.csv else {}
        return {**from_file, **self.profiles}

    def profiles_of(self, kinds: list[str]) -> list[Profile]:
        """The profile of each incident type in ``kinds`` (a flat one where it has none)."""
        known = self.all_profiles()
        names = [self.assign.get(kind, self.default) for kind in kinds]
        return [known[name] if name else Profile() for name in names]

    def problems(self, kinds: Collection[str]) -> Iterator[tuple[str, str]]:
        """(field path, problem) pairs: profiles and incident types that do not exist."""
        known = self.all_profiles()
        if self.csv:
            for name in sorted(set(known) & set(self.profiles)):
                yield f"demand.profiles.{name}", f"also defined in {self.csv}"
        names = sorted(known)
        if self.default is not None and self.default not in known:
            yield "demand.default", f"no profile '{self.default}'; profiles: {names}"
        for kind, profile in self.assign.items():
            if kind not in kinds:
                yield f"demand.assign.{kind}", f"no incident type '{kind}'; types: {list(kinds)}"
            if profile not in known:
                yield f"demand.assign.{kind}", f"no profile '{profile}'; profiles: {names}"
        for index, window in enumerate(self.windows):
            if window.incidents == "all":
                continue
            for kind in window.incidents:
                if kind not in kinds:
                    path = f"demand.windows.{index}.incidents"
                    yield path, f"no incident type '{kind}'; types: {list(kinds)}"

    def hour_table(self, kinds: list[str]) -> np.ndarray:
        """Normalised hour-of-day multipliers, one row of 24 per incident type."""
        return np.array([profile.normalised("hour") for profile in self.profiles_of(kinds)])

    def day_table(self, kinds: list[str], start_date: dt.date, days: int) -> np.ndarray:
        """Each day's multiplier of each type's rate, (days, types): weekday × month ×
        the windows open that day; day 0 is ``start_date``."""
        dates = [start_date + dt.timedelta(days=day) for day in range(days)]
        weekday = np.array([d.weekday() for d in dates], dtype=np.int64)
        month = np.array([d.month - 1 for d in dates], dtype=np.int64)
        table = np.empty((days, len(kinds)))
        for k, profile in enumerate(self.profiles_of(kinds)):
            by_weekday, by_month = profile.normalised("weekday"), profile.normalised("month")
            table[:, k] = by_weekday[weekday] * by_month[month]
        for window in self.windows:
            open_days = window.open_on(dates)
            for k, kind in enumerate(kinds):
                if window.applies_to(kind):
                    table[open_days, k] *= window.factor
        return table

    def mean_factors(self, kinds: list[str], start_date: dt.date, days: float) -> np.ndarray:
        """Each type's mean daily multiplier over the first ``days`` days of a run (1 for
        every type without this section): what the section does to its expected count."""
        if not self.active:
            return np.ones(len(kinds))
        whole = max(1, int(np.ceil(days)))
        return self.day_table(kinds, start_date, whole).mean(axis=0)


def read_profiles(path: Path) -> dict[str, Profile]:
    """The profiles of a CSV file (see ``DemandSpec.csv``); raises ``ValueError`` naming
    the file, the row and what is allowed."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise ValueError(f"cannot read {path} ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a UTF-8 text file") from None
    if not rows or tuple(cell.strip() for cell in rows[0]) != CSV_COLUMNS:
        raise ValueError(f"{path}: the first row must be the header {','.join(CSV_COLUMNS)}")
    parts: dict[str, dict[str, dict[int, float]]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path}, row {number}"
        if len(row) != len(CSV_COLUMNS):
            raise ValueError(f"{where}: expected {len(CSV_COLUMNS)} columns, got {len(row)}")
        name, part, slot_text, value_text = (cell.strip() for cell in row)
        if part not in SLOTS:
            raise ValueError(f"{where}: part '{part}' is not one of {list(SLOTS)}")
        try:
            slot, value = int(slot_text), float(value_text)
        except ValueError:
            message = f"{where}: slot must be a whole number and multiplier a number"
            raise ValueError(message) from None
        allowed = SLOTS[part]
        if slot not in allowed:
            raise ValueError(f"{where}: {part} slot {slot} is not {allowed[0]}–{allowed[-1]}")
        slots = parts.setdefault(name, {}).setdefault(part, {})
        if slot in slots:
            raise ValueError(f"{where}: {name} {part} slot {slot} is given twice")
        slots[slot] = value
    profiles = {}
    for name, given in parts.items():
        for part, slots in given.items():
            missing = sorted(set(SLOTS[part]) - set(slots))
            if missing:
                raise ValueError(f"{path}: profile {name} {part} lacks slots {missing}")
        try:
            profiles[name] = Profile.model_validate(
                {part: [slots[s] for s in SLOTS[part]] for part, slots in given.items()}
            )
        except ValueError as exc:
            raise ValueError(f"{path}: profile {name}: {_first_error(exc)}") from None
    return profiles


def _first_error(exc: ValueError) -> str:
    """The first line of a pydantic error, its path included (``hour.3: …``)."""
    errors = getattr(exc, "errors", None)
    if errors is None:
        return str(exc)
    first = errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}"
