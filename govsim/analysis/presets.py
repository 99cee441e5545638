"""The seed presets' names and the bound on their validation replications.

A module without imports, so that the ``govsim`` command can build its help (the preset
choices of ``validate`` and ``calibrate``) without loading the analysis behind them.
"""

PRESETS = ("zhenyuan", "helong", "wuhou", "yuyao", "kongtong")
#: Validation runs replication k on seed k, for at most this many replications (100,000
#: runs of a preset take days: more is a typo); calibration draws its seeds from a block
#: above them (``govsim.analysis.calibration.CALIBRATION_SEED_BASE``), so that a preset is
#: never validated on the runs it was fitted on.
MAX_VALIDATION_REPS = 100_000
