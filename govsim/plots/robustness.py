"""The figure of a robustness study, in the house style (:mod:`govsim.plots.style`).

One panel per claim and policy: the paired effect of each sample (policy − baseline,
with its CI when there are replications) against the parameter the effect follows most
closely; samples where the claim holds in one colour, fails in another; zero and the
claim's margin as lines. Sized for a 1280×720 slide (``style.SLIDE``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from govsim.analysis.claims import Analysis
from govsim.plots import style


def effects_figure(analysis: Analysis) -> Figure:
    """Effect vs the most influential parameter, one panel per claim and policy."""
    robustness = analysis.robustness
    rows = list(analysis.claims.itertuples())
    fig, axes = style.small_multiples(len(rows))
    for ax, row in zip(axes, rows, strict=True):
        claim = robustness.spec.claims[row.claim]
        part = analysis.effects[
            (analysis.effects["claim"] == row.claim) & (analysis.effects["policy"] == row.policy)
        ]
        x = part[row.influential].to_numpy(dtype=float)
        y = part["effect"].to_numpy(dtype=float)
        holds = part["holds"].fillna(False).astype(bool).to_numpy()
        err = np.vstack([y - part["low"].to_numpy(float), part["high"].to_numpy(float) - y])
        for mask, colour, name in (
            (holds, style.PALETTE[2], "holds"),
            (~holds, style.PALETTE[3], "fails"),
        ):
            if mask.any():
                ax.errorbar(
                    x[mask],
                    y[mask],
                    yerr=np.nan_to_num(err[:, mask]),
                    fmt="o",
                    ms=4,
                    color=colour,
                    ecolor=colour,
                    alpha=0.8,
                    elinewidth=0.8,
                    capsize=2,
                    label=name,
                )
        ax.axhline(0, color="grey", lw=0.8)
        if claim.margin:
            for edge in (claim.margin, -claim.margin):
                ax.axhline(edge, color="grey", lw=0.6, ls=":")
        ax.set_xlabel(f"{row.influential}  (ρ = {row.rho:.2f})")
        ax.set_ylabel(
            f"Δ {row.outcome}\n({row.policy} − {row.baseline}; {claim.better} is better)"
        )
        ax.set_title(
            f"{style.safe_text(row.label)}\n{row.policy}\nholds in {row.share:.0%} "
            f"[{row.share_low:.0%}, {row.share_high:.0%}] of {row.samples} samples"
        )
    style.figure_legend(fig, axes)
    spec = robustness.spec
    style.set_title(
        fig,
        style.figure_title(
            f"{spec.name}: effect per sample vs its most influential parameter",
            scenario=Path(spec.scenario).stem,
            reps=spec.replications,
            level=spec.confidence,
            detail=f"{spec.samples} LHS samples",
            sep="\n",
        ),
    )
    return fig
