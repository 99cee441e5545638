"""Shipped policies (data files): installed as the package govsim.shipped.policies, so
govsim.shipped finds them in a checkout and in an installed wheel alike."""
