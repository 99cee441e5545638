"""Figures in the house style: runs, comparisons, sensitivity studies."""
