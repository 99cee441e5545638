"""Durations from an incident log (handling, sojourn), with still-open incidents censored.

A duration is observed where the incident closed before the log's export and
right-censored (known only to exceed the time to the export) where it is still open.
The fits: the Kaplan–Meier estimate (``scipy.stats.ecdf`` of ``CensoredData``) with
its pointwise CI; the censored maximum-likelihood fit of each of the schema's handling
families (exponential, lognormal, gamma: ``dist.fit(CensoredData)``) and the one of
least AIC; the Kolmogorov–Smirnov distance of the chosen fit from Kaplan–Meier (over the
observed times) and the Anderson–Darling statistic of the observed durations; and the
restricted mean (the area under Kaplan–Meier up to the longest observed duration, the
mean when nothing is censored) with its Greenwood-type CI.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Durations are at least a second (h): the lognormal and gamma need positive times.
MIN_DURATION_H = 1.0 / 3600.0
#: The schema's handling families and their scipy distributions (location fixed at 0).
FAMILIES = {"exponential": stats.expon, "lognormal": stats.lognorm, "gamma": stats.gamma}


@dataclass(frozen=True)
class DurationFit:
    """One sample's fit.

    ``n``, ``censored`` (how many of them); ``mean`` with ``low``/``high`` (restricted
    mean, CI at ``level``); ``family`` (least AIC), its ``fitted_mean`` and ``cv``;
    ``aic`` per family; ``ks`` (sup |KM − fitted CDF|) and ``ad`` (Anderson–Darling of the
    observed durations under the fit); ``frozen``: the chosen scipy distribution.
    """

    n: int
    censored: int
    mean: float
    low: float
    high: float
    family: str
    fitted_mean: float
    cv: float
    aic: dict[str, float]
    ks: float
    ad: float
    level: float
    frozen: object


def censored(durations: np.ndarray, observed: np.ndarray) -> stats.CensoredData:
    """The sample as ``scipy.stats.CensoredData``: observed durations, and right-censored
    ones (``observed`` False)."""
    values = np.maximum(np.asarray(durations, dtype=float), MIN_DURATION_H)
    observed = np.asarray(observed, dtype=bool)
    return stats.CensoredData(uncensored=values[observed], right=values[~observed])


def restricted_mean(
    durations: np.ndarray, observed: np.ndarray, level: float = 0.95
) -> tuple[float, float, float]:
    """The area under the Kaplan–Meier survival curve up to the longest duration, and its
    CI (Greenwood-type variance Σ A_j² d_j / (n_j (n_j − d_j)), A_j the area beyond
    event time j). With no censoring it is the sample mean."""
    times = np.asarray(durations, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    order = np.argsort(times, kind="stable")
    times, observed = times[order], observed[order]
    unique, first = np.unique(times, return_index=True)
    at_risk = len(times) - first
    events = np.add.reduceat(observed.astype(float), first)
    survival = np.cumprod(1.0 - events / at_risk)
    widths = np.diff(np.concatenate([[0.0], unique]))
    before = np.concatenate([[1.0], survival[:-1]])
    mean = float(np.sum(widths * before))
    # area beyond each time: ∫_{t_j}^{t_max} S(t) dt
    pieces = np.concatenate([widths[1:] * survival[:-1], [0.0]])
    beyond = np.cumsum(pieces[::-1])[::-1]
    denominator = at_risk * (at_risk - events)
    terms = np.where(denominator > 0, beyond**2 * events / np.where(denominator > 0,
                                                                     denominator, 1), 0.0)
    half = stats.norm.ppf(0.5 + level / 2.0) * float(np.sqrt(terms.sum()))
    return mean, mean - half, mean + half


def _mean_cv(family: str, frozen: object) -> tuple[float, float]:
    mean, var = (float(v) for v in frozen.stats(moments="mv"))
    return mean, (np.sqrt(var) / mean if family != "exponential" else 1.0)


def fit_durations(durations: np.ndarray, observed: np.ndarray, level: float = 0.95) -> DurationFit:
    """Fit one sample of durations (h), ``observed`` False where censored (module doc)."""
    durations = np.maximum(np.asarray(durations, dtype=float), MIN_DURATION_H)
    observed = np.asarray(observed, dtype=bool)
    data = censored(durations, observed)
    aic, frozen = {}, {}
    for name, dist in FAMILIES.items():
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                params = dist.fit(data, floc=0)
        except (stats.FitError, ValueError, RuntimeError):
            continue  # a family the sample cannot fit (too few, or all equal) is skipped
        frozen[name] = dist(*params)
        loglik = np.sum(frozen[name].logpdf(durations[observed])) + np.sum(
            frozen[name].logsf(durations[~observed])
        )
        free = len(params) - 1  # the location is fixed
        aic[name] = float(2 * free - 2 * loglik)
    if not aic:
        raise ValueError(f"no family fits {observed.sum()} observed durations")
    family = min(aic, key=aic.get)
    chosen = frozen[family]
    km = stats.ecdf(data)
    times = km.cdf.quantiles
    ks = float(np.max(np.abs(km.cdf.probabilities - chosen.cdf(times)))) if len(times) else 0.0
    mean, low, high = restricted_mean(durations, observed, level)
    fitted_mean, cv = _mean_cv(family, chosen)
    return DurationFit(
        n=len(durations),
        censored=int((~observed).sum()),
        mean=mean,
        low=low,
        high=high,
        family=family,
        fitted_mean=fitted_mean,
        cv=cv,
        aic=aic,
        ks=ks,
        ad=anderson_darling(np.sort(durations[observed]), chosen),
        level=level,
        frozen=chosen,
    )


def anderson_darling(values: np.ndarray, frozen: object) -> float:
    """The Anderson–Darling statistic A² of sorted ``values`` under ``frozen``'s CDF."""
    n = len(values)
    if n == 0:
        return float("nan")
    cdf = np.clip(frozen.cdf(values), 1e-12, 1 - 1e-12)
    i = np.arange(1, n + 1)
    return float(-n - np.sum((2 * i - 1) * (np.log(cdf) + np.log1p(-cdf[::-1]))) / n)
