"""Figures of a sensitivity study, in the house style (:mod:`govsim.plots.style`).

Sobol (or FAST, RBD-FAST, delta) bars with CI whiskers, the Morris μ*–σ plane,
convergence curves (index and CI against N) and a heatmap of one index over parameters ×
outputs. Each takes the tidy tables of :mod:`govsim.analysis.sensitivity` and returns a
``matplotlib.figure.Figure`` titled with the study's identity.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govsim.analysis.sensitivity import MAIN_INDEX, Analysis, Study
from govsim.plots import style

#: Bar indices per method, drawn side by side.
_BARS = {
    "sobol": ("S1", "ST"),
    "fast": ("S1", "ST"),
    "rbd_fast": ("S1",),
    "delta": ("delta", "S1"),
    "pawn": ("median",),
}


def _title(study: Study, subject: str) -> str:
    spec = study.spec
    scenario = Path(spec.scenario).stem if spec.scenario else None
    detail = f"{spec.method}, N={spec.samples} ({study.n_samples} samples)"
    return style.figure_title(
        subject,
        scenario=scenario,
        policy=spec.policy if scenario else None,
        reps=spec.replications,
        level=spec.confidence,
        detail=detail,
        sep="\n",
    )


def _short(path: str) -> str:
    """A parameter path without its section (``handoff_h.street``), for tick labels."""
    return path.split(".", 1)[-1] if path.count(".") >= 2 else path


def index_bars(study: Study, indices: pd.DataFrame) -> Figure:
    """One panel per output: each parameter's indices (e.g. S1 and ST) as bars with
    CI whiskers (the bootstrap CI of SALib)."""
    keys = _BARS.get(study.spec.method, (MAIN_INDEX[study.spec.method],))
    outputs = list(dict.fromkeys(indices["output"]))
    names = study.names
    fig, axes = style.small_multiples(len(outputs), sharey=True)
    y = np.arange(len(names))
    height = 0.8 / len(keys)
    for ax, out in zip(axes, outputs, strict=True):
        rows = indices[indices["output"] == out]
        for k, key in enumerate(keys):
            part = rows[rows["index"] == key].set_index("parameter").reindex(names)
            err = part["conf"].fillna(0).to_numpy()
            ax.barh(
                y + (k - (len(keys) - 1) / 2) * height,
                part["value"],
                height,
                xerr=err,
                capsize=2,
                label=key,
            )
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_title(out)
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, [_short(n) for n in names])
    axes[0].invert_yaxis()
    style.figure_legend(fig, axes)
    style.set_title(fig, _title(study, "Sensitivity indices with CIs"))
    return fig


def morris_plane(study: Study, indices: pd.DataFrame) -> Figure:
    """The Morris μ*–σ plane per output: each parameter at (μ*, σ) with CI whiskers;
    far right: influential; high σ: non-linear or interacting."""
    outputs = list(dict.fromkeys(indices["output"]))
    fig, axes = style.small_multiples(len(outputs))
    for ax, out in zip(axes, outputs, strict=True):
        rows = indices[indices["output"] == out]
        mu = rows[rows["index"] == "mu_star"].set_index("parameter").reindex(study.names)
        sigma = rows[rows["index"] == "sigma"].set_index("parameter").reindex(study.names)
        for i, name in enumerate(study.names):
            ax.errorbar(
                mu["value"].iloc[i],
                sigma["value"].iloc[i],
                xerr=mu["conf"].fillna(0).iloc[i],
                yerr=sigma["conf"].fillna(0).iloc[i],
                fmt="o",
                capsize=2,
                color=style.PALETTE[i % len(style.PALETTE)],
                label=_short(name),
            )
        top = float(np.nanmax([mu["value"].max(), sigma["value"].max(), 1e-12]))
        ax.plot([0, top], [0, top], color="grey", ls="--", lw=0.8)  # σ = μ*
        ax.set(xlabel="μ* (mean |elementary effect|)", ylabel="σ", title=out)
    style.figure_legend(fig, axes)
    style.set_title(fig, _title(study, "Morris screening, μ* against σ"))
    return fig


def convergence_figure(study: Study, table: pd.DataFrame) -> Figure:
    """The main index (ST, μ*, S1, δ …) of each parameter against N with its CI band,
    one panel per output: where the lines flatten and the bands narrow, N suffices."""
    key = MAIN_INDEX[study.spec.method]
    outputs = list(dict.fromkeys(table["output"]))
    fig, axes = style.small_multiples(len(outputs))
    for ax, out in zip(axes, outputs, strict=True):
        rows = table[(table["output"] == out) & (table["index"] == key)]
        for i, name in enumerate(study.names):
            line = rows[rows["parameter"] == name].sort_values("n")
            colour = style.PALETTE[i % len(style.PALETTE)]
            ax.plot(line["n"], line["value"], marker="o", ms=3, color=colour, label=_short(name))
            if line["conf"].notna().any():
                ax.fill_between(line["n"], line["low"], line["high"], color=colour, alpha=0.15)
        ax.set_xscale("log", base=2)
        ax.set(xlabel="N", ylabel=key, title=out)
    style.figure_legend(fig, axes)
    style.set_title(fig, _title(study, f"Convergence of {key} with N"))
    return fig


def heatmap(study: Study, indices: pd.DataFrame, key: str | None = None) -> Figure:
    """One index (default: the method's main one) over parameters × outputs."""
    key = key or MAIN_INDEX[study.spec.method]
    rows = indices[indices["index"] == key]
    grid = rows.pivot(index="parameter", columns="output", values="value")
    grid = grid.reindex(index=study.names, columns=list(dict.fromkeys(rows["output"])))
    fig, ax = style.new_figure(size=style.SLIDE)
    image = ax.imshow(grid.to_numpy(dtype=float), cmap=style.COUNT_CMAP, aspect="auto")
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=20, ha="right")
    ax.set_yticks(range(grid.shape[0]), [_short(n) for n in grid.index])
    ax.grid(False)
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        dark = bool(image.norm(value) > 0.6)  # white on the dark cells
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="white" if dark else "black")
    fig.colorbar(image, ax=ax, label=key)
    style.set_title(fig, _title(study, f"{key} by parameter and output"))
    return fig


def study_figures(analysis: Analysis, folder: str | Path) -> list[Path]:
    """Save every figure of ``analysis`` into ``folder``; returns the paths."""
    from govsim.plots.figures import save_figure

    folder = Path(folder)
    study, indices = analysis.study, analysis.indices
    figures = {"heatmap.png": heatmap(study, indices)}
    if study.spec.method == "morris":
        figures["morris.png"] = morris_plane(study, indices)
    else:
        figures["indices.png"] = index_bars(study, indices)
    if not analysis.convergence.empty:
        figures["convergence.png"] = convergence_figure(study, analysis.convergence)
    return [save_figure(fig, folder / name) for name, fig in figures.items()]
