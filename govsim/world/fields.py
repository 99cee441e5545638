"""The building blocks of scenario sections: bounded number types, registered names
and ``Spec``, the base every section derives from.

Each section of a scenario lives in the module of its subject (``govsim.world.scenario``
for the core, ``govsim.world.calendar`` for dates …); all build on these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from govsim.registry import Registry

HOURS_PER_YEAR = 8760.0
#: Longest time a field may give (h): 10^6 h is over a century, beyond any run.
MAX_HOURS = 1e6
#: Shortest positive time a field may give (h): 0.001 h is 3.6 s, below anything modelled.
MIN_HOURS = 1e-3
#: Caps on what one run creates (see ``cross_check``): memory and run time grow with each.
#: 5,000 cells build in 2.4 s; 50,000 took 293 s (the travel times from every office).
MAX_CELLS = 5_000
#: Every desk keeps its travel time to every cell: 5,000 desks × 5,000 cells took 1.2 GB.
MAX_DESK_CELLS = 40_000_000
MAX_AGENTS = 1_000_000
#: A year of Kongtong is 300,000 incidents and 0.95 GB at peak (docs/performance.md).
MAX_INCIDENTS = 1_000_000
MAX_PATROL_VISITS = 20_000_000
#: Highest severity level: deadlines are kept per level up to the highest one.
MAX_SEVERITY = 10
#: Highest chance a fix fails (corner cutting included): each failure is a recurrence.
MAX_FAIL = 0.9

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Hours = Annotated[float, Field(ge=0.0, le=MAX_HOURS)]
PositiveHours = Annotated[float, Field(ge=MIN_HOURS, le=MAX_HOURS)]
Elasticity = Annotated[float, Field(ge=-10.0, le=10.0)]
RegionCount = Annotated[int, Field(le=10_000)]
Money = Annotated[float, Field(ge=0.0, le=1e6)]
WeekHours = Annotated[float, Field(ge=0.0, le=168.0)]
#: Rating points (ratings are 1–5: beyond 100 points every rating clips to 1 anyway).
RatingPoints = Annotated[float, Field(ge=0.0, le=100.0)]
#: A multiplier or gain on pace, effort or participation: at most tenfold.
Gain = Annotated[float, Field(ge=0.0, le=10.0)]
#: Evaluation points per event: at most 1,000 (the score is relative, only ratios count).
Points100 = Annotated[float, Field(ge=0.0, le=1000.0)]
TierName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


@dataclass(frozen=True)
class Registered:
    """Field metadata: the value must be a name in ``registry``, plugins included.

    Checked when a scenario is validated, so a plugin's names are known by then; the
    error lists the names allowed and pydantic keeps the field path.
    """

    registry: Registry

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def check(self, name: str) -> str:
        """``name`` if it is registered; else a pydantic error listing the known names."""
        if name not in self.registry:
            message = self.registry.unknown_message()
            raise PydanticCustomError("unknown_name", "{message}", {"message": message})
        return name


def _numeric(annotation: Any) -> bool:
    """Whether a field's annotation takes int or float values anywhere (in a union, as
    dict values, list items …)."""
    if annotation is int or annotation is float:
        return True
    return any(_numeric(arg) for arg in get_args(annotation))


def _has_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, dict):
        return any(_has_bool(v) for v in value.values())
    return isinstance(value, list | tuple) and any(_has_bool(v) for v in value)


class NoBoolNumbers(BaseModel):
    """Refuses ``true``/``false`` where a number is expected: pydantic would take them as
    1 and 0 (``grid_workers_per_grid: true`` is a mistake, not one worker). Ints and
    floats stay interchangeable where the field allows (``3`` for a float field)."""

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_bools(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and _numeric(field.annotation) and _has_bool(value):
            raise ValueError("expected a number, not true/false")
        return value


class Spec(NoBoolNumbers):
    """Base of every scenario section: unknown keys are refused, values are checked."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)
