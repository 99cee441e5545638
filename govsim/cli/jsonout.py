"""The one JSON writer of every ``--json`` output: strict JSON, never NaN or Infinity.

JSON has no NaN or infinity, and strict parsers (``jq``, browsers, ``JSON.parse``) refuse
them. A number that is not finite is written as ``null``, and the object holding it gets
a ``null_reasons`` object mapping that key to why: ``{"mean_wait_h": null,
"null_reasons": {"mean_wait_h": "no incident was served at this tier in the window"}}``.
A ``None`` gets a reason too: every ``null`` is explained where it stands. A null
inside a list is named by its index (``"values[3]"``). See
docs/json.md; each command's output is described by a JSON Schema in docs/schemas/.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

#: Why a value of this name (``holder.name`` first, then ``name``) can be null; other
#: names get :func:`generic_reason`.
REASONS = {
    "excellent.first": "no monthly evaluation in the window",
    "excellent.last": "no monthly evaluation in the window",
    "excellent.mean": "no monthly evaluation in the window",
    "equity.vulnerable_gap_h": "no incident of a vulnerable household resolved in the window",
    "trust.end_vulnerable": "no vulnerable residents on the map",
    "out_of_hours.wait_h": "no incident started in the window reached a desk with nobody on duty",
    "out_of_hours.wait_in_hours_h": "no incident started in the window reached a staffed desk",
    "mean_wait_h": "no incident was served at this tier in the window",
    "mean_sojourn_h": "no incident was served at this tier in the window",
    "utilisation": "the tier has no staffed hours in the window",
    "mean": "no value to average (e.g. no incident resolved in the window)",
    "median": "no incident resolved in the window",
    "p90": "no incident resolved in the window",
    "satisfaction": "no follow-up rating in the window",
    "share_satisfied": "no follow-up rating in the window",
    "on_time_rate": "no incident with a deadline resolved in the window",
    "escalation_rate": "no incident reported in the window",
    "psa": "no stationary answer: that hour's arrivals exceed its servers' capacity",
    "mol": "no answer: the offered load exceeds the servers at some point of that hour",
}
KEY = "null_reasons"


def generic_reason(value: float | None) -> str:
    """Why a value of no known name is null: it was None, NaN, +inf or -inf."""
    if value is None:
        return "not measured in this run"
    if math.isnan(value):
        return "undefined (NaN): nothing to compute it from"
    return "unbounded (+inf)" if value > 0 else "unbounded (-inf)"


def strict(value: Any) -> Any:
    """``value`` as plain JSON data: numpy and pandas values turned into Python ones,
    data frames into lists of records, every non-finite number into ``None``, and each
    ``None`` explained in the holding object's ``null_reasons``."""
    return _strict(value, None)


def _strict(value: Any, reasons: dict[str, str] | None, key: str = "", holder: str = "") -> Any:
    import numpy as np  # here, not above: the CLI's help imports this module
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        value = value.to_dict(orient="records")
    elif isinstance(value, pd.Series | np.ndarray):
        value = value.tolist()
    if isinstance(value, Mapping):
        own: dict[str, str] = dict(value.get(KEY, {}))
        out = {str(k): _strict(v, own, str(k), key) for k, v in value.items() if k != KEY}
        if own:
            out[KEY] = own
        return out
    if isinstance(value, list | tuple):
        return [_strict(v, reasons, f"{key}[{i}]", holder) for i, v in enumerate(value)]
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NaT or value is pd.NA:
        value = float("nan")
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        if reasons is not None:
            base = key.split("[", 1)[0]
            known = REASONS.get(f"{holder}.{base}") or REASONS.get(base)
            reasons[key] = known or generic_reason(value)
        return None
    return value


def dumps(value: Any) -> str:
    """``value`` as indented strict JSON (see the module docstring)."""
    return json.dumps(strict(value), indent=2, allow_nan=False, default=_refuse)


def _refuse(value: Any) -> Any:
    raise TypeError(f"not JSON serialisable: {value!r}")
