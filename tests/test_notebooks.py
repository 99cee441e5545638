"""The notebooks in ``notebooks/``: committed without outputs, and each one executed, small.

Every notebook reads ``GOVSIM_NOTEBOOK_QUICK=1`` in its first code cell and shrinks its
days, replications and samples, so that it runs in seconds here. It runs in a kernel of
this very interpreter, importing the same ``govsim`` as the tests, from the notebooks'
folder (where they find ``../scenarios`` and ``../experiments``). A notebook passes when
no cell fails (nbclient raises), every cell tagged ``figure`` shows a PNG, every cell
tagged ``animation`` an animation's frames, and the checks below, run after its last
cell in the same kernel, hold.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import govsim

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
QUICK = "GOVSIM_NOTEBOOK_QUICK"

#: What each notebook must have computed, asserted in its kernel after its last cell.
CHECKS = {
    "escalation_dynamics.ipynb": """
assert tiered.ledger.meta["days"] == DAYS == 12 and len(SNAPSHOTS) == 8
assert max(map(len, tier_flow(tiered.ledger)["route"])) == 4  # grid → … → city
assert max(map(len, tier_flow(whistle.ledger)["route"])) == 2  # grid → the capable desk
assert set(routes.index.get_level_values("policy")) == {"status_quo", "whistle_and_report"}
""",
    "staffing_planning.ipynb": """
assert status_quo.best is None  # no grid staffing meets p90 <= 36 h under tiered hand-offs
for result in (status_quo, whistle):
    assert result.paths == ["staffing.grid_workers_per_grid"] and len(result.table) >= 2
    assert set(result.table["verdict"]) <= {"meets", "fails", "undecided"}
    assert result.runs["rep"].max() < 3
""",
    "policy_comparison.ipynb": """
assert len(POLICIES) == 5 and comparison.runs.shape[0] == 5 * REPS
assert table.groupby("policy").size().to_dict() == dict.fromkeys(POLICIES, len(OUTCOMES))
assert table.loc[table["policy"] != "status_quo", "diff"].notna().all()
assert list(widths.groupby("outcome").size()) == [4] * len(OUTCOMES)
""",
    "sensitivity.ipynb": """
assert study.n_samples == SAMPLES * (4 + 2) and list(responses) == list(study.spec.outputs)
counts = analysis.indices.groupby(["output", "index"]).size()
assert set(counts.index.get_level_values("index")) == {"S1", "ST"} and (counts == 4).all()
assert not analysis.convergence.empty
""",
    "seed_models.ipynb": """
from govsim.analysis.validation import PRESETS
assert list(results) == list(PRESETS)
assert len(table) == sum(len(TARGETS[p].targets) for p in PRESETS)
assert table["met"].dtype == bool and table["mean"].notna().all()
""",
}


class _ThisPython(KernelSpecManager):
    """Every kernel is this interpreter's ipykernel, whatever kernelspecs are installed."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        """The spec of a kernel running ``sys.executable -m ipykernel_launcher``."""
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (tests)",
            language="python",
        )


def execute(path: Path, check: str, cells: int | None = None) -> nbformat.NotebookNode:
    """Run the notebook at ``path`` small (its first ``cells`` cells only, if given), then
    ``check`` in its kernel; returns it run."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = notebook.cells[:cells]
    notebook.cells.append(nbformat.v4.new_code_cell(check.strip()))
    source = str(Path(govsim.__file__).resolve().parents[1])  # the govsim under test
    env = {
        **os.environ,
        QUICK: "1",
        "PYTHONPATH": os.pathsep.join([source, *filter(None, [os.environ.get("PYTHONPATH")])]),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=_ThisPython())
    client = NotebookClient(
        notebook,
        km=manager,
        timeout=300,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        extra_arguments=["--InteractiveShell.colors=nocolor"],  # plain tracebacks in failures
    )
    try:
        client.execute(env=env)
    finally:  # nbclient leaves a kernel it did not start running
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    return notebook


def _data(cell: nbformat.NotebookNode) -> list[dict]:
    return [out.get("data", {}) for out in cell.get("outputs", [])]


def _stderr(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(cell index, text) of every output a cell wrote on standard error (a warning)."""
    return [
        (i, out.get("text", ""))
        for i, cell in enumerate(notebook.cells)
        for out in cell.get("outputs", [])
        if out.get("name") == "stderr"
    ]


def test_the_first_cell_shows_no_warning() -> None:
    """The first code cell imports govsim (and with it Mesa, which imports tqdm's notebook
    bars): with the notebooks extra installed (ipywidgets) it shows no red warning."""
    notebook = execute(NOTEBOOKS / "policy_comparison.ipynb", "assert QUICK", cells=2)
    assert notebook.cells[1].outputs == [] and _stderr(notebook) == []


def test_the_notebooks_extra_brings_jupyter_and_widgets() -> None:
    pyproject = tomllib.loads((NOTEBOOKS.parent / "pyproject.toml").read_text("utf-8"))
    extra = pyproject["project"]["optional-dependencies"]["notebooks"]
    assert {re.split(r"[<>=]", r)[0] for r in extra} == {"jupyterlab", "ipywidgets"}
    assert '.venv/bin/pip install -e ".[notebooks]"' in (NOTEBOOKS / "README.md").read_text()


def test_every_notebook_is_checked() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_notebook_is_committed_without_outputs(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    dirty = [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"{name}: cells {dirty} have outputs or execution counts; clear them"
    assert notebook.cells[0].cell_type == "markdown"
    assert QUICK in notebook.cells[1].source  # the first code cell reads the switch


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_notebook_runs(name: str) -> None:
    notebook = execute(NOTEBOOKS / name, CHECKS[name])
    tagged = {
        tag: [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]
        for tag in ("figure", "animation")
    }
    assert tagged["figure"], f"{name}: no cell is tagged as drawing a figure"
    for i, cell in enumerate(tagged["figure"]):
        assert any("image/png" in data for data in _data(cell)), f"{name}: figure {i}: no PNG"
    for cell in tagged["animation"]:
        html = "".join(data.get("text/html", "") for data in _data(cell))
        assert html.count("data:image/png;base64") >= 2, f"{name}: the animation has no frames"
    assert _stderr(notebook) == [], f"{name}: cells wrote warnings"
