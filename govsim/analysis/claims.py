"""How far a policy claim holds across the sampled space of assumed parameters.

From a robustness study's runs (:mod:`govsim.analysis.robustness`: every sample runs
every policy on the same seeds), per claim and policy:

- the **effect** in each sample: the mean over replications of the paired difference
  policy − baseline (same seed), in the outcome's units, with its paired t-interval when
  there are two replications or more;
- the **sign share**: the share of samples where the effect has the claimed sign (beyond
  the claim's margin), with a Wilson score interval; and the shares where the paired CI
  lies wholly on the claimed side (clearly holds) or wholly on the other (clearly fails);
- the share of samples with no effect beyond the margin (ties, e.g. both at a ceiling);
- the effect's median and 5–95% range across samples;
- **regret** per outcome: each policy's distance from the best policy of its sample
  (per-sample means; 0 for the best), its median and maximum over samples;
- **where it fails**: PRIM (the EMA Workbench, ``govsim[ema]``) on the samples where the
  claim fails, the box of parameter ranges where failures concentrate; and the parameter
  whose values the effect follows most closely (|Spearman ρ|).
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from govsim.analysis.robustness import Claim, Robustness
from govsim.errors import GovsimError
from govsim.stats import mean_ci

#: Columns of the per-claim table (:func:`claim_table`).
CLAIM_COLUMNS = [
    "claim",
    "label",
    "policy",
    "baseline",
    "outcome",
    "better",
    "sign",
    "samples",
    "holds",
    "share",
    "share_low",
    "share_high",
    "clearly_holds",
    "clearly_fails",
    "no_effect",
    "effect_median",
    "effect_p05",
    "effect_p95",
    "influential",
    "rho",
]


def wilson(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial share ``successes / n`` (NaN for n = 0)."""
    if n == 0:
        return float("nan"), float("nan")
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the ends: no
    high = 1.0 if successes == n else min(1.0, centre + half)  # rounding past 0 or 1
    return low, high


def _gain(claim: Claim, effect: np.ndarray | float) -> Any:
    """The effect turned so that positive means the policy does better."""
    return effect if claim.better == "higher" else -np.asarray(effect)


def claimed_side(claim: Claim, value: np.ndarray) -> np.ndarray:
    """Whether each effect (or CI bound) lies on the claim's side, beyond its margin."""
    gain = _gain(claim, value)
    if claim.sign == "better":
        return np.asarray(gain > claim.margin)
    return np.asarray(gain < -claim.margin)


def sample_effects(robustness: Robustness, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per claim, policy and sample: the paired effect policy − baseline (mean
    over replications, outcome units), its CI (``low``, ``high``; NaN with one
    replication), ``holds`` (the effect has the claimed sign; NaN where the outcome is
    not a number in that sample), and the sample's parameter values."""
    level = robustness.spec.confidence
    baseline = robustness.baseline
    rows = []
    for i, claim in enumerate(robustness.spec.claims):
        table = runs.set_index(["sample", "rep", "policy"])[claim.outcome].unstack("policy")
        for policy in robustness.claim_policies(claim):
            diffs = (table[policy] - table[baseline]).unstack("rep")
            for sample, values in diffs.iterrows():
                interval = mean_ci(values.to_numpy(dtype=float), level)
                many = values.notna().sum() > 1
                rows.append(
                    {
                        "claim": i,
                        "policy": policy,
                        "sample": int(sample),
                        "effect": interval.mean,
                        "low": interval.low if many else np.nan,
                        "high": interval.high if many else np.nan,
                    }
                )
    frame = pd.DataFrame(rows)
    effect = frame["effect"].to_numpy(dtype=float)
    holds = np.array(
        [
            bool(claimed_side(robustness.spec.claims[c], np.array(e))) if np.isfinite(e) else np.nan
            for c, e in zip(frame["claim"], effect, strict=True)
        ],
        dtype=object,
    )
    frame["holds"] = holds
    return frame.join(robustness.samples, on="sample")


def influence(robustness: Robustness, effects: pd.DataFrame) -> pd.Series:
    """Spearman ρ between each parameter's sampled values and the effect (NaN where the
    effects or the parameter do not vary, or fewer than 3 samples have an effect),
    indexed by parameter path in the study's order."""
    finite = effects[np.isfinite(effects["effect"].to_numpy(dtype=float))]
    rho = {}
    for name in robustness.names:
        varies = finite["effect"].nunique() > 1 and finite[name].nunique() > 1
        ok = len(finite) >= 3 and varies
        rho[name] = (
            float(stats.spearmanr(finite[name], finite["effect"]).statistic) if ok else np.nan
        )
    return pd.Series(rho, dtype=float)


def influential(robustness: Robustness, effects: pd.DataFrame) -> tuple[str, float]:
    """The parameter the effects follow most closely: largest |Spearman ρ| between its
    sampled values and the effect (the first parameter and NaN when none can be told)."""
    rho = influence(robustness, effects)
    if rho.isna().all():
        return robustness.names[0], float("nan")
    name = str(rho.abs().idxmax())
    return name, float(rho[name])


def claim_table(robustness: Robustness, effects: pd.DataFrame) -> pd.DataFrame:
    """One row per claim and policy (columns ``CLAIM_COLUMNS``): sign share with its
    Wilson interval, the shares whose paired CI clearly holds or clearly fails, the share
    with no effect beyond the margin (a tie: e.g. both at a ceiling), the effect's median
    and 5–95% range across samples, the most influential parameter."""
    spec = robustness.spec
    rows = []
    for (i, policy), part in effects.groupby(["claim", "policy"], sort=False):
        claim = spec.claims[int(i)]
        known = part[part["holds"].notna()]
        n, held = len(known), int(known["holds"].astype(bool).sum())
        low, high = wilson(held, n, spec.confidence)
        effect = known["effect"].to_numpy(dtype=float)
        paired = bool(known["low"].notna().any())  # a paired CI needs 2 replications
        clear = claimed_side(claim, _worst_bound(claim, known)) if paired else np.array([])
        against = _against(claim, known) if paired else np.array([])
        name, rho = influential(robustness, known)
        q05, q50, q95 = np.quantile(effect, [0.05, 0.5, 0.95]) if n else (np.nan,) * 3
        rows.append(
            {
                "claim": int(i),
                "label": claim.label or f"{policy} {claim.sign} on {claim.outcome}",
                "policy": policy,
                "baseline": robustness.baseline,
                "outcome": claim.outcome,
                "better": claim.better,
                "sign": claim.sign,
                "samples": n,
                "holds": held,
                "share": held / n if n else np.nan,
                "share_low": low,
                "share_high": high,
                "clearly_holds": float(clear.mean()) if clear.size else np.nan,
                "clearly_fails": float(against.mean()) if against.size else np.nan,
                "no_effect": float((np.abs(effect) <= claim.margin).mean()) if n else np.nan,
                "effect_median": float(q50),
                "effect_p05": float(q05),
                "effect_p95": float(q95),
                "influential": name,
                "rho": rho,
            }
        )
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


def _worst_bound(claim: Claim, part: pd.DataFrame) -> np.ndarray:
    """Per sample, the CI bound nearest to failing the claim (NaN: one replication)."""
    toward_better = (claim.better == "higher") == (claim.sign == "better")
    return part["low" if toward_better else "high"].to_numpy(dtype=float)


def _against(claim: Claim, part: pd.DataFrame) -> np.ndarray:
    """Per sample, whether the paired CI lies wholly on the other side of zero."""
    toward_better = (claim.better == "higher") == (claim.sign == "better")
    bound = part["high" if toward_better else "low"].to_numpy(dtype=float)
    return (bound < 0) if toward_better else (bound > 0)


def regret_table(robustness: Robustness, runs: pd.DataFrame) -> pd.DataFrame:
    """Per claim outcome and policy: regret against the best policy of each sample.

    Regret in a sample is how far the policy's mean (over replications) lies from the
    best policy's mean in that sample, in the worse direction (outcome units, ≥ 0; 0 for
    the best). Columns: outcome, better, policy, regret_median, regret_max, best_share
    (share of samples where the policy is best), samples.
    """
    rows = []
    seen = set()
    for claim in robustness.spec.claims:
        if (claim.outcome, claim.better) in seen:
            continue
        seen.add((claim.outcome, claim.better))
        regret = sample_regret(runs, claim.outcome, claim.better)
        for policy in regret.columns:
            values = regret[policy].dropna()
            rows.append(
                {
                    "outcome": claim.outcome,
                    "better": claim.better,
                    "policy": policy,
                    "regret_median": float(values.median()) if len(values) else np.nan,
                    "regret_max": float(values.max()) if len(values) else np.nan,
                    "best_share": float((values == 0).mean()) if len(values) else np.nan,
                    "samples": len(values),
                }
            )
    return pd.DataFrame(rows)


def sample_regret(runs: pd.DataFrame, outcome: str, better: str) -> pd.DataFrame:
    """Samples × policies: each policy's regret in each sample (see :func:`regret_table`);
    a sample where any policy's mean is not a number is left out (its best is unknown)."""
    means = runs.groupby(["sample", "policy"])[outcome].mean().unstack("policy")
    means = means.dropna()
    if better == "lower":
        return means.sub(means.min(axis=1), axis=0)
    return -means.sub(means.max(axis=1), axis=0)


@dataclass
class Failure:
    """Where a claim fails: PRIM's box over the parameters, or why there is none."""

    claim: int
    policy: str
    reason: str = ""
    limits: pd.DataFrame = field(default_factory=pd.DataFrame)
    coverage: float = float("nan")
    density: float = float("nan")
    mass: float = float("nan")
    base_rate: float = float("nan")


def has_ema() -> bool:
    """Whether the EMA Workbench (``govsim[ema]``) is installed."""
    return importlib.util.find_spec("ema_workbench") is not None


def where_it_fails(robustness: Robustness, effects: pd.DataFrame) -> list[Failure]:
    """Per claim and policy, PRIM's box of the samples where the claim fails (EMA
    Workbench); without ``govsim[ema]``, or when the claim fails in no sample or in every
    sample, a ``Failure`` with the reason instead of a box."""
    from govsim.analysis.ema import ema_name, prim_box

    found = []
    for (i, policy), part in effects.groupby(["claim", "policy"], sort=False):
        known = part[part["holds"].notna()]
        fails = ~known["holds"].astype(bool).to_numpy()
        failure = Failure(int(i), str(policy), base_rate=float(fails.mean()) if len(fails) else 0)
        if not has_ema():
            failure.reason = "PRIM skipped: needs the EMA Workbench (pip install 'govsim[ema]')"
        elif not fails.any() or fails.all():
            failure.reason = f"fails in {int(fails.sum())} of {len(fails)} samples: no box"
        else:
            # most influential first: PRIM breaks ties between equally good peels (common
            # with few samples) by column order, so they restrict what the effect follows
            order = influence(robustness, known).abs().sort_values(ascending=False).index
            x = known[list(order)].rename(columns=ema_name).reset_index(drop=True)
            try:
                box = prim_box(x, {"fails": fails.astype(float)}, "fails", 0.5)
            except GovsimError as exc:
                failure.reason = f"PRIM: {exc}"
            else:
                if box.limits.empty:
                    failure.reason = "PRIM: no box denser than the whole space (few samples?)"
                failure.limits = box.limits
                failure.coverage, failure.density = box.coverage, box.density
                failure.mass = box.mass
        found.append(failure)
    return found


@dataclass
class Analysis:
    """Everything a robustness study's runs tell (see the module's docstring)."""

    robustness: Robustness
    effects: pd.DataFrame
    claims: pd.DataFrame
    regret: pd.DataFrame
    failures: list[Failure]


def analyse(robustness: Robustness, runs: pd.DataFrame) -> Analysis:
    """Effects, claim table, regret and failure boxes of ``robustness`` from its runs."""
    effects = sample_effects(robustness, runs)
    return Analysis(
        robustness,
        effects,
        claim_table(robustness, effects),
        regret_table(robustness, runs),
        where_it_fails(robustness, effects),
    )
