"""The canonical incident table: one row per incident, whatever platform it came from.

A mapping file (``import-log --mapping``) names which of a platform's columns fill these;
the readers convert, the fits and the back-test read only these names. Times are
timezone-naive local times of the scenario's calendar (the reader converts from the
log's own zone); a missing ``closed`` means the incident was still open when the log was
exported (right-censored, never dropped).
"""

from __future__ import annotations

INCIDENT_ID = "incident_id"
"""The platform's identifier of the incident (text)."""
TYPE = "type"
"""The incident's type as the platform names it (text), e.g. ``Noise - Residential``."""
CATEGORY = "category"
"""The platform's broader category of the type (text, may be missing)."""
CELL = "cell"
"""The grid cell the incident was reported in (a grid id of the scenario's map, text);
from the log's own grid column, or matched from ``latitude``/``longitude``."""
LATITUDE = "latitude"
"""Degrees north (WGS 84), where the log gives coordinates."""
LONGITUDE = "longitude"
"""Degrees east (WGS 84), where the log gives coordinates."""
CREATED = "created"
"""When the incident was reported (local time)."""
ASSIGNED = "assigned"
"""When a handler was first assigned (local time; may be missing)."""
CLOSED = "closed"
"""When the incident was closed (local time; missing while still open)."""
UNIT = "unit"
"""The unit that handled it last: a grid team, a department, an agency (text)."""
TIER = "tier"
"""The tier it was closed at (text): one of the scenario's ``map.tiers`` after mapping."""
CHANNEL = "channel"
"""How it was reported (text): hotline, app, patrol, walk-in …"""
STATUS = "status"
"""The platform's status at export (text): closed, open, …"""
REOPENED = "reopened"
"""How many times it was reopened after a first closure (integer, 0 when the log
does not say)."""

REQUIRED = (INCIDENT_ID, TYPE, CREATED)
"""Columns every log must give: without them no rate can be fitted."""
OPTIONAL = (
    CATEGORY,
    CELL,
    LATITUDE,
    LONGITUDE,
    ASSIGNED,
    CLOSED,
    UNIT,
    TIER,
    CHANNEL,
    STATUS,
    REOPENED,
)
"""Columns a log may give; a fit that needs a missing one says so and leaves its
numbers as assumptions."""
ALL = REQUIRED + OPTIONAL
"""Every canonical column, in the table's order."""
TIMES = (CREATED, ASSIGNED, CLOSED)
"""The time columns (local, timezone-naive ``datetime64[ns]``)."""
