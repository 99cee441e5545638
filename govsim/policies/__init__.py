"""The levers: routing, queue disciplines (and, next, staffing and incentives)."""
