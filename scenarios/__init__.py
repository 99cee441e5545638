"""Shipped scenarios (data files): installed as the package govsim.shipped.scenarios, so
govsim.shipped finds them in a checkout and in an installed wheel alike."""
