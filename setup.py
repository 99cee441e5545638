"""The package list: govsim's own packages plus the shipped-file packages that
pyproject.toml maps onto the top-level scenarios/, policies/ and experiments/ folders
(pyproject alone cannot join a `find` to extra packages). Everything else is in
pyproject.toml."""

from setuptools import find_packages, setup

SHIPPED = [f"govsim.shipped.{folder}" for folder in ("scenarios", "policies", "experiments")]

setup(packages=[*find_packages(include=["govsim", "govsim.*"]), *SHIPPED])
