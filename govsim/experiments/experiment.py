"""Running an experiment into a results folder, resumably, on any executor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govsim.analysis.comparison import OUTCOMES
from govsim.experiments.executors import SerialExecutor, describe
from govsim.experiments.results import ResultStore, git_commit, now, sha256, versions
from govsim.experiments.run import check_kept, perform
from govsim.experiments.spec import SEED_SCHEME, Experiment
from govsim.progress import progress_bar


def manifest(
    experiment: Experiment, executor: Any, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The provenance record of ``experiment``: spec, input hashes, seeds, versions, git;
    ``extra`` entries are added (e.g. the sensitivity study a folder holds)."""
    spec = experiment.spec
    return {
        **(extra or {}),
        "experiment": spec.name,
        "spec_file": str(experiment.path),
        "spec": spec.model_dump(mode="json"),
        "overrides": experiment.overrides,
        "files": {str(path): sha256(path) for path in experiment.files},
        "seeds": {
            "scheme": SEED_SCHEME,
            "base_seed": spec.seed,
            "replications": spec.replications,
            "seeds": [spec.seed + k for k in range(spec.replications)],
        },
        "runs_total": experiment.n_runs,
        "scenarios": experiment.scenario_names,
        "policies": [p.name for p in experiment.policies],
        "baseline": experiment.baseline,
        "parameters": [str(c) for c in experiment.samples.columns],
        "samples": experiment.samples.reset_index().to_dict(orient="records"),
        "outcomes": [*OUTCOMES, *(o for o in spec.outcomes if o not in OUTCOMES)],
        "versions": versions(),
        "git_commit": git_commit(),
        "executor": describe(executor),
        "started": now(),
        "finished": None,
        "status": "running",
    }


def check_outcomes(experiment: Experiment) -> None:
    """Refuse outcome names in the spec that runs do not offer (with suggestions), and
    ledger metrics on an unknown incident type."""
    if experiment.spec.outcomes:
        scenario = experiment.scenario(0, int(experiment.samples.index[0]), experiment.policies[0])
        check_kept(scenario, experiment.spec.outcomes, f"{experiment.path}: outcomes")


def run_experiment(
    experiment: Experiment,
    out: str | Path,
    executor: Any = None,
    resume: bool = False,
    batch: int = 25,
    show_progress: bool = False,
    extra: dict[str, Any] | None = None,
) -> ResultStore:
    """Run every run of ``experiment`` not yet in ``out`` and store it there.

    ``out`` must be new or empty unless ``resume`` is true, in which case the finished
    runs are skipped. Results stream to Parquet parts of ``batch`` runs (or every 10 s);
    an interruption keeps every finished batch. ``extra`` entries join the manifest.
    Returns the closed store.
    """
    executor = executor or SerialExecutor()
    check_outcomes(experiment)
    record = manifest(experiment, executor, extra)
    opener = ResultStore.reopen if resume else ResultStore.create
    store = opener(out, record, batch)
    samples = experiment.samples
    todo = experiment.runs(skip=frozenset(store.finished))
    left = experiment.n_runs - len(store.finished)
    complete = False
    try:
        with progress_bar(left, f"{experiment.spec.name}", show_progress) as bar:
            for result in executor.map_unordered(perform, todo):
                sample = result.row["sample"]
                store.add(result, {str(k): v for k, v in samples.loc[sample].items()})
                bar.advance()
        complete = True
    finally:
        store.finish(complete)
    return store
