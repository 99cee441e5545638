"""How outcomes read on a figure's axes: a human label with its unit, and numbers with
thousands separators.

The nine compared outcomes take their labels from ``govsim.analysis.comparison.OUTCOMES``;
any other outcome name (a dotted summary path such as ``resolution_time_h.p90`` or
``tiers.grid.mean_wait_h``, a ledger metric ``hours_from_report:illegal_boiler``) is
spelled out from its parts, with ``(h)`` for a name ending in ``_h``. Costs are in the
scenario's currency units (``staffing.hourly_cost``).
"""

from __future__ import annotations

import textwrap

from matplotlib.axis import Axis
from matplotlib.ticker import FuncFormatter

from govsim.analysis.comparison import OUTCOMES

#: The unit of every cost (``staffing.hourly_cost`` is per paid staff-hour in it).
CURRENCY = "currency units"
#: Statistics that end a dotted summary path (``resolution_time_h.p90``).
_STATISTICS = ("mean", "median", "p90", "p50", "p95", "p99", "max", "min", "end", "start")
_HOURS = "_h"
#: Characters in a line of a panel's title, a third of a slide wide at 10 points.
_PANEL_CHARS = 34


def outcome_label(name: str) -> str:
    """The human label of outcome ``name``, with its unit in brackets where it has one.

    ``resolution_p90_h`` and ``resolution_time_h.p90`` both read ``p90 resolution time
    (h)``; ``staff_cost`` reads ``staff cost over the window (currency units)``;
    ``tiers.grid.mean_wait_h`` reads ``tiers grid mean wait (h)``.
    """
    if name in OUTCOMES:
        label = OUTCOMES[name][0]
    else:
        parts = name.replace(":", ".").split(".")
        statistic = parts.pop() if len(parts) > 1 and parts[-1] in _STATISTICS else None
        hours = any(part.endswith(_HOURS) for part in parts)
        words = " ".join(part.removesuffix(_HOURS).replace("_", " ") for part in parts)
        label = f"{statistic} {words}" if statistic else words
        if hours:
            label += " (h)"
    if "cost" in name and "(" not in label:
        label += f" ({CURRENCY})"
    return label


def panel_title(name: str) -> str:
    """:func:`outcome_label` wrapped to fit a panel a third of a slide wide (10 points)."""
    return textwrap.fill(outcome_label(name), _PANEL_CHARS)


def thousands(axis: Axis) -> None:
    """Tick labels of ``axis`` as whole numbers with thousands separators (``1,250,000``)."""
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
