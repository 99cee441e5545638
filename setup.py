"""The package list: govsim's own packages plus the shipped-file packages that
pyproject.toml maps onto the top-level scenarios/, policies/ and experiments/ folders
(pyproject alone cannot join a `find` to extra packages). Everything else is in
pyproject.toml.

Folders of data files (govsim/world/calendars, scenarios/theory …) are packages to
setuptools too: they are listed, so that the build does not warn that each is missing
from the package list."""

from setuptools import find_namespace_packages, setup

#: Bytecode caches are folders too, never packages.
NOT_PACKAGES = ["*__pycache__*"]
#: The shipped folders, each installed as govsim.shipped.FOLDER.
FOLDERS = ("scenarios", "policies", "experiments")


def shipped(folder: str) -> list[str]:
    """govsim.shipped.FOLDER and a package for each of its sub-folders."""
    package = f"govsim.shipped.{folder}"
    subs = find_namespace_packages(folder, exclude=NOT_PACKAGES)
    return [package, *(f"{package}.{sub}" for sub in subs)]


setup(
    packages=[
        *find_namespace_packages(include=["govsim", "govsim.*"], exclude=NOT_PACKAGES),
        *(name for folder in FOLDERS for name in shipped(folder)),
    ]
)
