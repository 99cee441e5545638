"""Write govsim/world/calendars/cn.csv: China's statutory holidays and make-up working
days (调休) for 2018–2026, from the ``holidays`` package (run once; not a dependency).

    pip install holidays && python tools/cn_holidays.py

The ``holidays`` package lists each holiday, and names a day off moved from a weekend
"Day off (substituted from MM/DD/YYYY)": that weekend date is a make-up working day.
Generated with holidays 0.109.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import holidays

YEARS = range(2018, 2027)
OUT = Path(__file__).resolve().parents[1] / "govsim" / "world" / "calendars" / "cn.csv"
SUBSTITUTED = re.compile(r"substituted from (\d\d)/(\d\d)/(\d{4})")


def rows() -> list[tuple[str, str, str]]:
    """(ISO date, holiday|workday, name) for every statutory day of ``YEARS``, sorted."""
    found = {}
    for year in YEARS:
        for date, name in holidays.China(years=year, language="en_US").items():
            found[date] = ("holiday", name)
            moved = SUBSTITUTED.search(name)
            if moved:
                month, day, in_year = map(int, moved.groups())
                found[dt.date(in_year, month, day)] = ("workday", f"make-up working day for {date}")
    return [(d.isoformat(), kind, name) for d, (kind, name) in sorted(found.items())]


if __name__ == "__main__":
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(("date", "kind", "name"))
        writer.writerows(rows())
    print(f"wrote {OUT}")
