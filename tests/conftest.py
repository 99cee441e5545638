"""Hypothesis profiles for the generated tests (``tests/test_generated.py``).

``default`` (``make test``, CI): derandomized, so every run tries the same cases and a
failure reproduces; ``fuzz`` (``make fuzz``: ``HYPOTHESIS_PROFILE=fuzz``): random cases,
many more of them (``tests.mutations.FUZZ_SCALE`` times each test's default count).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,  # each test enforces its own per-case time budget
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("default", derandomize=True, database=None, **_COMMON)
settings.register_profile("fuzz", derandomize=False, print_blob=True, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
