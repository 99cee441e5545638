"""Peer implementations of the benchmark queueing network (Ciw, SimPy, heapq, govsim)."""
