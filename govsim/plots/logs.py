"""Figures and the report of a log's fit (``govsim import-log --report``) and of a
back-test: rates raw and shrunk per cell, the hour profiles with their CIs, QQ plots and
Kaplan–Meier curves against the chosen fits, and the back-test's intervals."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from govsim.logs import columns as col
from govsim.logs.fit import LogFit
from govsim.plots import style
from govsim.plots.figures import save_figure

if TYPE_CHECKING:
    from govsim.logs.backtest import Backtest


def rates_figure(fit: LogFit) -> Figure:
    """Per type: each cell's raw rate (dots) and shrunk estimate with its interval (bars),
    the district mean dashed (per household-year)."""
    kinds = list(fit.rates.by_type[col.TYPE])
    fig, axes = style.small_multiples(len(kinds))
    for ax, kind in zip(axes, kinds, strict=True):
        cells = fit.rates.by_cell[fit.rates.by_cell[col.TYPE] == kind]
        x = np.arange(len(cells))
        ax.errorbar(x, cells["shrunk"], yerr=[cells["shrunk"] - cells["low"],
                    cells["high"] - cells["shrunk"]], fmt="o", label="shrunk (CI)")
        ax.plot(x, cells["raw"], "x", color="0.4", label="raw")
        mean = float(fit.rates.by_type.set_index(col.TYPE).loc[kind, "rate"])
        ax.axhline(mean, ls="--", color="0.5")
        ax.set_title(kind)
        ax.set_xticks(x, cells[col.CELL], rotation=90)
    style.figure_legend(fig, axes)
    style.set_title(
        fig, "Rates per cell (per household-year): raw, shrunk toward the district mean"
    )
    return fig


def profiles_figure(fit: LogFit) -> Figure:
    """Per type: the hour-of-day multipliers with their CIs, and the one chosen."""
    kinds = list(fit.profiles.parts)
    fig, axes = style.small_multiples(len(kinds))
    hours = np.arange(24)
    for ax, kind in zip(axes, kinds, strict=True):
        got = fit.profiles.parts[kind]["hour"]
        ax.fill_between(hours, got.low, got.high, step="mid", alpha=0.3, label="own (CI)")
        ax.step(hours, got.multiplier, where="mid")
        ax.step(hours, fit.profiles.pooled["hour"].multiplier, where="mid", color="0.3",
                ls="--", label="all types")
        ax.set_title(f"{kind}: {got.source}")
        ax.set_xticks(range(0, 24, 6))
    style.figure_legend(fig, axes)
    style.set_title(fig, "Hour-of-day profiles (multiplier of the mean rate)")
    return fig


def durations_figure(fit: LogFit) -> Figure:
    """Per type: the Kaplan–Meier estimate of the resolution time (open incidents
    censored) against the chosen fit's CDF, and (inset) the QQ plot of the bottom tier's
    visits (less the round trip) against their fit."""
    kinds = list(fit.sojourn)
    fig, axes = style.small_multiples(len(kinds))
    probs = (np.arange(1, 100) - 0.5) / 99
    for ax, kind in zip(axes, kinds, strict=True):
        got = fit.sojourn[kind]
        durations, observed = fit.sojourn_data[kind]
        km = stats.ecdf(stats.CensoredData(uncensored=np.maximum(durations[observed], 1e-9),
                                           right=np.maximum(durations[~observed], 1e-9)))
        km.cdf.plot(ax, label="Kaplan–Meier (95% CI)")
        with warnings.catch_warnings():  # undefined at the ends (S = 0 or 1): not drawn
            warnings.simplefilter("ignore", RuntimeWarning)
            band = km.cdf.confidence_interval(0.95, method="log-log")
        band.low.plot(ax, color="C0", lw=0.6, ls=":")
        band.high.plot(ax, color="C0", lw=0.6, ls=":")
        top = float(got.frozen.ppf(0.99))
        grid = np.linspace(0, top, 200)
        ax.plot(grid, got.frozen.cdf(grid), color="0.3", ls="--", label="chosen fit")
        ax.set_xlim(0, top)
        ax.set_title(f"{kind}\n{got.family} fit, KS {got.ks:.3f}")
        ax.set_xlabel("hours from report to closure")
        spans = fit.spans.get(kind)
        if spans is not None:
            handled = fit.handling[kind]
            inset = ax.inset_axes((0.55, 0.1, 0.4, 0.4))
            inset.plot(handled.frozen.ppf(probs), np.quantile(spans, probs), ".", ms=2)
            edge = float(handled.frozen.ppf(0.99))
            inset.plot([0, edge], [0, edge], color="0.5", lw=0.8)
            inset.set_title(f"QQ handling ({handled.family})", fontsize="small")
            inset.locator_params(nbins=3)
    style.figure_legend(fig, axes)
    style.set_title(
        fig, "Resolution times (Kaplan–Meier vs fit) and handling at the bottom tier (QQ)"
    )
    return fig


def backtest_figure(result: Backtest) -> Figure:
    """Per statistic: each type's actual value against the simulated mean and prediction
    interval; a miss in red."""
    table = result.table
    names = list(dict.fromkeys(table["statistic"]))
    fig, axes = style.small_multiples(len(names))
    for ax, name in zip(axes, names, strict=True):
        rows = table[table["statistic"] == name]
        y = np.arange(len(rows))
        ax.errorbar(rows["simulated"], y, xerr=[rows["simulated"] - rows["low"],
                    rows["high"] - rows["simulated"]], fmt="o", color="0.4", label="simulated")
        colours = np.where(rows["inside"], "tab:blue", "tab:red")
        ax.scatter(rows["actual"], y, color=colours, zorder=3, marker="D", label="actual")
        ax.set_yticks(y, rows[col.TYPE])
        ax.set_title(name)
    style.figure_legend(fig, axes)
    style.set_title(fig, f"Back-test: {result.test[0].date()} – "
                 f"{(result.test[1] - pd.Timedelta(days=1)).date()}, {result.reps} reps, "
                 f"{result.level:.2%} intervals")
    return fig


def fit_tables(fit: LogFit) -> dict[str, pd.DataFrame]:
    """The fit's numbers as tables, by file stem."""
    durations = []
    for what, fits in (("handling", fit.handling), ("sojourn", fit.sojourn)):
        for kind, got in fits.items():
            durations.append({"what": what, col.TYPE: kind, col.TIER: "", **_row(got)})
    for (kind, tier), got in fit.sojourn_by_tier.items():
        durations.append({"what": "sojourn", col.TYPE: kind, col.TIER: tier, **_row(got)})
    profiles = []
    for kind, parts in fit.profiles.parts.items():
        for part, got in parts.items():
            for slot, (m, lo, hi, n) in enumerate(zip(got.multiplier, got.low, got.high,
                                                      got.counts, strict=True)):
                profiles.append({col.TYPE: kind, "part": part, "slot": slot, "count": n,
                                 "multiplier": m, "low": lo, "high": hi, "source": got.source})
    return {
        "rates_by_type": fit.rates.by_type,
        "rates_by_cell": fit.rates.by_cell,
        "profiles": pd.DataFrame(profiles),
        "durations": pd.DataFrame(durations),
        "tiers": fit.tiers,
        "routing": fit.routing,
        "departments": fit.departments,
    }


def _row(got: object) -> dict[str, object]:
    return {"n": got.n, "censored": got.censored, "mean": got.mean, "low": got.low,
            "high": got.high, "family": got.family, "cv": got.cv, "ks": got.ks, "ad": got.ad,
            **{f"aic_{k}": v for k, v in got.aic.items()}}


def write_report(fit: LogFit, problems: pd.DataFrame, folder: str | Path) -> list[Path]:
    """Write the fit's tables (CSV), the log's problems and the figures into ``folder``;
    returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, table in {**fit_tables(fit), "problems": problems}.items():
        path = folder / f"{stem}.csv"
        table.to_csv(path, index=False)
        written.append(path)
    for stem, figure in (("rates", rates_figure(fit)), ("profiles", profiles_figure(fit)),
                         ("durations", durations_figure(fit))):
        written.append(save_figure(figure, folder / f"{stem}.png"))
    return written

