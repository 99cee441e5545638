"""``govsim viz``: the live app as a standalone web page."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from govsim.cli import options
from govsim.cli.common import SCENARIO_HELP
from govsim.errors import GovsimError


def add_viz_command(sub: Any) -> None:
    """The ``viz`` subcommand: the live app as a standalone web page."""
    viz = sub.add_parser(
        "viz",
        help="serve the live app (map, charts, levers) as a web page",
        description="Serve the live SolaraViz app for a scenario on http://HOST:PORT: the map "
        "of open incidents, live charts, and levers to change and Reset. Needs the viz extra "
        "(pip install 'govsim[viz]'). Stop it with Ctrl-C.",
    )
    viz.add_argument(
        "file", type=Path, nargs="?", metavar="SCENARIO", help=f"{SCENARIO_HELP} (default: demo)"
    )
    viz.add_argument("--policy", default="status_quo", metavar="NAME_OR_FILE", help="policy")
    viz.add_argument("--seed", type=options.seed, default=0, help="random seed (default 0)")
    viz.add_argument(
        "--port", type=options.count(1, 65_535), default=8765, help="port (default 8765)"
    )
    viz.add_argument(
        "--host",
        default="localhost",
        help="address to listen on (default localhost; 0.0.0.0 shows it to the room)",
    )
    viz.add_argument("--open", action="store_true", help="open the page in a web browser")
    viz.add_argument(
        "--results",
        type=Path,
        metavar="DIR",
        help="a results folder (govsim experiment --out DIR) to open in the Results tab",
    )
    viz.set_defaults(handler=cmd_viz)


def cmd_viz(args: argparse.Namespace) -> int:
    """`govsim viz`: serve the live app as a web page; returns the exit status."""
    try:
        from govsim.viz.live import DEMO, build_scenario
        from govsim.viz.server import serve
        from govsim.world.scenario import scenario_path
    except ImportError as exc:  # solara or Mesa's viz parts missing
        raise GovsimError(
            f"viz: the live app needs the viz extra ({exc.name} is missing)"
        ) from None
    scenario_file = scenario_path(args.file) if args.file else DEMO
    build_scenario(scenario_file, args.policy, None)  # refuse a bad file or policy up front
    if args.results is not None and not args.results.is_dir():
        raise GovsimError(f"--results {args.results}: no such folder")
    return serve(
        scenario_file, args.policy, args.seed, args.port, args.host, args.open, args.results
    )
