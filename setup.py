"""The package list: govsim's own packages plus the shipped-file packages that
pyproject.toml maps onto the top-level scenarios/, policies/ and experiments/ folders
(pyproject alone cannot join a `find` to extra packages). Everything else is in
pyproject.toml.

Folders of data files (govsim/world/calendars, scenarios/theory …) are packages to
setuptools too: they are listed, so that the build does not warn that each is missing
from the package list."""

from setuptools import find_namespace_packages, setup

#: Each shipped folder and its sub-folders, as govsim.shipped.FOLDER[.SUB].
SHIPPED = [
    ".".join(["govsim.shipped", folder, *([sub] if sub else [])])
    for folder in ("scenarios", "policies", "experiments")
    for sub in ["", *find_namespace_packages(where=folder, exclude=["*__pycache__*"])]
]

setup(
    packages=[
        *find_namespace_packages(include=["govsim", "govsim.*"], exclude=["*__pycache__*"]),
        *SHIPPED,
    ]
)
