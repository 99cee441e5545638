"""Arrival rates per incident type and cell from an incident log, with shrinkage.

Each (type, cell) count ``y`` over an exposure ``E`` (household-years: the cell's
households × the years the log covers) is taken as Poisson with rate ``λ·E``. Cells with
few records are shrunk toward their type's district mean by empirical-Bayes gamma–Poisson
(Clayton & Kaldor 1987, method of moments): the cells' rates are taken as drawn from a
gamma distribution with the district mean ``m = Σy / ΣE`` and a between-cell variance
``τ² = max(0, Σ E (r − m)² / ΣE − m · n / ΣE)`` (the rates' weighted spread less what
Poisson noise alone gives; ``r = y / E``, ``n`` the number of cells), so shape
``α = m² / τ²`` and rate ``β = m / τ²``; a cell's posterior is ``Gamma(α + y, β + E)``,
its mean ``(α + y) / (β + E)`` — the raw rate where the cell has many records, the
district mean where it has few (τ² = 0: every cell the district mean).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from govsim.logs import columns as col
from govsim.world.fields import HOURS_PER_YEAR


def poisson_rate_ci(count: np.ndarray, exposure: np.ndarray, level: float) -> tuple:
    """Exact (Garwood) confidence interval of a Poisson rate ``count / exposure``:
    (low, high) arrays in the exposure's units."""
    count = np.asarray(count, dtype=float)
    tail = (1.0 - level) / 2.0
    low = np.where(count > 0, stats.chi2.ppf(tail, 2 * count) / 2.0, 0.0)
    high = stats.chi2.ppf(1.0 - tail, 2 * count + 2) / 2.0
    return low / exposure, high / exposure


@dataclass(frozen=True)
class RateFit:
    """The fitted rates of one log.

    ``by_type``: per type, ``count``, ``exposure`` (unit-years: households, shops or
    daily visitors, as the type's rate is per), ``rate`` (per unit-year) and its exact
    ``low``/``high`` CI. ``by_cell``: per (type, cell), ``count``, ``exposure``, ``raw``
    rate, ``shrunk`` (posterior mean) and its posterior ``low``/``high`` interval,
    ``weight`` (the raw rate's weight, E / (E + β)). ``years``: the log's length;
    ``level``: the intervals' coverage.
    """

    by_type: pd.DataFrame
    by_cell: pd.DataFrame
    years: float
    level: float


def fit_rates(
    incidents: pd.DataFrame,
    units: pd.Series | pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    level: float = 0.95,
    per: dict[str, str] | None = None,
) -> RateFit:
    """Rates per type (per unit-year) and per type × cell (shrunk), from the incidents
    created in ``[start, end)``.

    ``units`` gives each cell's households (a Series indexed by cell id), or a frame of
    the units rates may be per (columns ``household``, ``shop``, ``visitor``); ``per``
    names a type's unit (default ``household``, the schema's ``per``). Incidents in cells
    not in ``units`` are left out (the caller reports them), incidents without a cell
    count in their type's rate only. Returns a :class:`RateFit`.
    """
    if isinstance(units, pd.Series):
        units = units.to_frame("household")
    households = units["household"]
    years = (end - start) / pd.Timedelta(hours=HOURS_PER_YEAR)
    within = incidents[(incidents[col.CREATED] >= start) & (incidents[col.CREATED] < end)]
    within = within[within[col.TYPE].notna()]
    placed = within[col.CELL].isin(households.index)
    # an incident without a cell counts in its type's rate, in no cell's
    within = within[placed | within[col.CELL].isna()]
    types = sorted(within[col.TYPE].unique())
    counts = (
        within[placed].groupby([col.TYPE, col.CELL]).size().unstack(fill_value=0)
        .reindex(index=types, columns=households.index, fill_value=0)
    )
    totals = within.groupby(col.TYPE).size().reindex(types, fill_value=0)
    rows, type_rows = [], []
    for kind in types:
        exposure = units[(per or {}).get(kind, "household")].to_numpy(dtype=float) * years
        y = counts.loc[kind].to_numpy(dtype=float)
        shrunk = _shrink(y, exposure, level)
        for cell, values in zip(households.index, shrunk, strict=True):
            rows.append({col.TYPE: kind, col.CELL: cell, **values})
        total, exposed = float(totals[kind]), exposure.sum()
        if exposed <= 0:  # nothing of its unit on the map: no rate to fit
            continue
        low, high = poisson_rate_ci(np.array([total]), exposed, level)
        type_rows.append(
            {col.TYPE: kind, "count": int(total), "exposure": exposed, "rate": total / exposed,
             "low": float(low[0]), "high": float(high[0])}
        )
    cell_columns = [col.TYPE, col.CELL, "count", "exposure", "raw", "shrunk", "low", "high",
                    "weight"]
    type_columns = [col.TYPE, "count", "exposure", "rate", "low", "high"]
    return RateFit(pd.DataFrame(type_rows, columns=type_columns),
                   pd.DataFrame(rows, columns=cell_columns), years, level)


def _shrink(y: np.ndarray, exposure: np.ndarray, level: float) -> list[dict[str, float]]:
    """Per cell: count, exposure, raw rate and the gamma–Poisson posterior (module doc);
    a cell without exposure (no shops, say) has none."""
    total = exposure.sum()
    if total <= 0:
        return [{"count": int(c), "exposure": 0.0, "raw": np.nan, "shrunk": np.nan,
                 "low": np.nan, "high": np.nan, "weight": 0.0} for c in y]
    mean = y.sum() / total
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = y / exposure
    spread = float(np.sum(exposure * (raw - mean) ** 2) / total - mean * len(y) / total)
    tail = (1.0 - level) / 2.0
    district = poisson_rate_ci(np.array([y.sum()]), total, level)
    out = []
    for count, exposed, rate in zip(y, exposure, raw, strict=True):
        if spread <= 0.0 or mean == 0.0:  # no spread beyond Poisson noise: the district's
            shrunk, low, high, weight = mean, float(district[0][0]), float(district[1][0]), 0.0
        else:
            alpha, beta = mean**2 / spread, mean / spread
            posterior = stats.gamma(alpha + count, scale=1.0 / (beta + exposed))
            shrunk = float(posterior.mean())
            low, high = (float(v) for v in posterior.ppf([tail, 1.0 - tail]))
            weight = exposed / (exposed + beta)
        out.append(
            {"count": int(count), "exposure": float(exposed), "raw": float(rate),
             "shrunk": shrunk, "low": low, "high": high, "weight": float(weight)}
        )
    return out
