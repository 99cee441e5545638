"""Incident logs of real platforms: read them, clean them in the open, fit a scenario to
them and back-test it (docs/your-city.md).

Every reader produces the same table, one row per incident, with the columns of
:mod:`govsim.logs.columns`; every fit and check reads only that table.
"""
