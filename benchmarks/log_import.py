"""Importing a 1,000,000-row 311-style log: wall time and peak memory of ``read_log``.

Run: ``python -m benchmarks.log_import [--rows N] [--keep DIR]``. Writes a synthetic
311 export (the columns of ``scenarios/mappings/nyc311.yaml`` plus ``incident_zip`` and
``borough``; 0.5% exact repeats, 2% of points outside the map, 5% still open, a few
unreadable times) and a 20 × 20 grid of GeoJSON cells to a temporary folder, then reads
it with the shipped ``nyc311`` mapping in a fresh process (so the peak RSS is the
import's alone) and prints one JSON line: rows, incidents, seconds, peak RSS.
``--shape state_change`` writes and reads a workflow log instead: one row per state
change, four changes per incident (reported, dispatched, in progress, closed), shuffled.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TYPES = [
    "Noise - Residential", "HEAT/HOT WATER", "Illegal Parking", "Blocked Driveway",
    "Street Condition", "Street Light Condition", "PLUMBING", "WATER LEAK",
    "Noise - Street/Sidewalk", "Noise - Commercial", "UNSANITARY CONDITION", "Rodent",
    "Dirty Condition", "Sewer", "Water System", "Abandoned Vehicle", "Graffiti",
    "Traffic Signal Condition",
]  # fmt: skip
AGENCIES = ["NYPD", "HPD", "DOT", "DSNY", "DEP", "DOHMH", "DPR"]
#: The map: a 20 × 20 grid of 0.005° cells south-west of this corner (lon, lat).
CORNER, SIDE, CELL_DEG = (-74.02, 40.70), 20, 0.005
FORMAT = "%m/%d/%Y %I:%M:%S %p"
#: The workflow log's states, in order, and its mapping.
STATES = ("上报", "派遣", "处置中", "办结")
FLOW = {
    "rows": "state_change",
    "columns": {"incident_id": "事件编号", "type": "事件类型", "cell": "所属网格"},
    "state_change": {
        "time": "操作时间", "state": "环节", "created": ["上报"], "assigned": ["派遣"],
        "other": ["处置中"], "closed": ["办结"],
    },
    "times": {"formats": ["%Y-%m-%d %H:%M:%S"], "time_zone": "Asia/Shanghai"},
}  # fmt: skip


def write_log(path: Path, rows: int, seed: int = 0) -> None:
    """A synthetic 311 export of ``rows`` rows (repeats included) at ``path``."""
    rng = np.random.default_rng(seed)
    unique = rows - rows // 200
    start = pd.Timestamp("2023-01-01")
    created = start + pd.to_timedelta(np.sort(rng.uniform(0, 365 * 86400, unique)).round(), "s")
    closed = created + pd.to_timedelta(rng.exponential(30 * 3600, unique).round(), "s")
    created_text = pd.Series(created.strftime(FORMAT))
    closed_text = pd.Series(closed.strftime(FORMAT)).mask(rng.random(unique) < 0.05, "")
    created_text[rng.random(unique) < 1e-4] = "not a date"
    span = SIDE * CELL_DEG
    lon = CORNER[0] + rng.uniform(-0.01 * span, 1.01 * span, unique)
    lat = CORNER[1] + rng.uniform(-0.01 * span, 1.01 * span, unique)
    frame = pd.DataFrame(
        {
            "unique_key": np.arange(50_000_000, 50_000_000 + unique).astype(str),
            "created_date": created_text,
            "closed_date": closed_text,
            "agency": rng.choice(AGENCIES, unique),
            "complaint_type": rng.choice(TYPES, unique),
            "incident_zip": rng.integers(10001, 10500, unique).astype(str),
            "borough": rng.choice(["MANHATTAN", "BROOKLYN", "QUEENS", "BRONX"], unique),
            "latitude": lat.round(6),
            "longitude": lon.round(6),
            "status": np.where(closed_text == "", "Open", "Closed"),
        }
    )
    repeats = frame.iloc[rng.integers(0, unique, rows - unique)]
    pd.concat([frame, repeats]).to_csv(path, index=False)


def write_states(path: Path, rows: int, seed: int = 0) -> None:
    """A synthetic workflow log of ``rows`` state changes (``rows`` / 4 incidents)."""
    rng = np.random.default_rng(seed)
    n = rows // len(STATES)
    created = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.uniform(0, 3e7, n).round(), "s")
    steps = [
        pd.DataFrame(
            {
                "事件编号": np.arange(n).astype(str),
                "环节": state,
                "操作时间": (created + pd.Timedelta(hours=k)).strftime("%Y-%m-%d %H:%M:%S"),
                "事件类型": rng.choice(TYPES, n),
                "所属网格": rng.integers(0, SIDE * SIDE, n).astype(str),
            }
        )
        for k, state in enumerate(STATES)
    ]
    pd.concat(steps).sample(frac=1.0, random_state=seed).to_csv(path, index=False)


def write_grid(path: Path) -> None:
    """A GeoJSON map of ``SIDE`` × ``SIDE`` square cells (lon/lat), ids ``c<row>_<col>``."""
    features = []
    for row in range(SIDE):
        for col in range(SIDE):
            x, y = CORNER[0] + col * CELL_DEG, CORNER[1] + row * CELL_DEG
            ring = [
                [x, y],
                [x + CELL_DEG, y],
                [x + CELL_DEG, y + CELL_DEG],
                [x, y + CELL_DEG],
                [x, y],
            ]
            features.append(
                {
                    "type": "Feature",
                    "id": f"c{row}_{col}",
                    "properties": {},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def read(log: Path, grid: Path, shape: str) -> dict[str, object]:
    """Time ``read_log`` on ``log`` in this process; its figures and the peak RSS."""
    from govsim.logs.mapping import validate_mapping
    from govsim.logs.reader import read_log

    mapping = "nyc311" if shape == "incident" else validate_mapping(FLOW, "benchmark flow")
    start = time.perf_counter()
    imported = read_log(log, mapping, geojson=grid)
    seconds = time.perf_counter() - start
    return {
        "rows": imported.rows_in,
        "incidents": len(imported.incidents),
        "rows_excluded": imported.rows_excluded,
        "problems": {
            f"{k} {c}".strip(): n
            for k, c, n in imported.problems[["kind", "column", "count"]].itertuples(index=False)
        },
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    """Write the log and the map, then read them in a fresh process and print its line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--keep", type=Path, help="write the files here and keep them (or reuse them)"
    )
    parser.add_argument("--shape", choices=("incident", "state_change"), default="incident")
    parser.add_argument(
        "--read", nargs=3, metavar=("LOG", "GEOJSON", "SHAPE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.read:
        log, grid, shape = args.read
        print(json.dumps(read(Path(log), Path(grid), shape), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        name = "311.csv" if args.shape == "incident" else "flow.csv"
        log, grid = folder / name, folder / "grid.geojson"
        if not log.is_file():  # a kept log is read again as it is
            start = time.perf_counter()
            (write_log if args.shape == "incident" else write_states)(log, args.rows)
            write_grid(grid)
            seconds = time.perf_counter() - start
            print(f"wrote {log.stat().st_size / 1e6:,.0f} MB in {seconds:.1f} s", file=sys.stderr)
        command = [sys.executable, "-m", "benchmarks.log_import", "--read", str(log), str(grid)]
        command.append(args.shape)
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
