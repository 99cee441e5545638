"""Analysis of runs: comparisons, sensitivity, calibration, validation against the
sources and the engine against queueing theory."""
