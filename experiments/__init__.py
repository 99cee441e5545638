"""Shipped experiments (data files): installed as the package govsim.shipped.experiments, so
govsim.shipped finds them in a checkout and in an installed wheel alike."""
