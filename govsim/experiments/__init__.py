"""Experiments: specs, single runs, executors, the result store and the planner."""
