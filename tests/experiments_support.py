"""Helpers for the experiment tests: small specs written into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from govsim.experiments.results import Results

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"


def write_spec(folder: Path, body: str, name: str = "spec.yaml") -> Path:
    """Write an experiment spec on the demo city (plus ``body``) and return its path."""
    path = folder / name
    path.write_text(f"name: test\nscenarios: [{DEMO}]\n{body}", encoding="utf-8")
    return path


SMALL = """\
policies: [status_quo, fast_handoffs]
parameters:
  design: factorial
  values:
    staffing.grid_workers_per_grid: [2, 3]
replications: 2
days: 12
outcomes: [resolution_time_h.p90]
series_every_days: 2
"""


def assert_same_results(a: Results, b: Results) -> None:
    """Bit-identical run and series tables."""
    pd.testing.assert_frame_equal(a.runs, b.runs, check_exact=True)
    pd.testing.assert_frame_equal(a.series, b.series, check_exact=True)
