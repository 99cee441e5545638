"""The files shipped with govsim — scenarios, policies and experiment specs — and finding
them by name.

In the repository they live at the top, in ``scenarios/``, ``policies/`` and
``experiments/``; the build installs them as the packages ``govsim.shipped.scenarios``,
``govsim.shipped.policies`` and ``govsim.shipped.experiments`` (pyproject.toml), so
``importlib.resources`` finds them the same way in a checkout (editable install) and in
an installed wheel. A name is a file's path inside its folder without ``.yaml``
(``demo``, ``theory/mmc``, ``sensitivity/sobol_demo``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

from govsim.errors import GovsimError

Kind = Literal["scenarios", "policies", "experiments"]

#: Shipped scenario files that are not scenarios to name: the presets' figure register
#: (``register.yaml``), the counts their texts give (``volumes.yaml``), the bases they
#: build on (``common/``) and the platform logs' column mappings (``mappings/``, see
#: ``govsim.logs.mapping``).
_NOT_SCENARIOS, _BASES = ("register", "volumes"), ("common/", "mappings/")


def folder(kind: Kind) -> Path:
    """The folder of the shipped ``kind`` on disk."""
    found = files(f"{__name__}.{kind}")
    if not isinstance(found, Path):  # govsim imported from a zip: not supported
        raise GovsimError(f"govsim's shipped {kind} are not in a folder on disk ({found})")
    return found


def names(kind: Kind) -> list[str]:
    """The shipped names of ``kind``, sorted (bases, mappings, ``register.yaml`` and
    ``volumes.yaml`` left out)."""
    root = folder(kind)
    found = (p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*.yaml"))
    return sorted(
        name for name in found if name not in _NOT_SCENARIOS and not name.startswith(_BASES)
    )


def locate(kind: Kind, name_or_path: str | Path, here: Path | None = None) -> Path | None:
    """The file ``name_or_path`` means, or None when it is neither a file nor a name.

    A file wins: an existing file at ``name_or_path`` (relative to ``here``, default the
    current folder), or any path ending in ``.yaml``/``.yml`` (its reader reports it
    missing). Otherwise it is a shipped name of ``kind``.
    """
    text = str(name_or_path)
    path = (here or Path()) / text
    if path.is_file() or path.suffix in (".yaml", ".yml"):
        return path
    shipped = folder(kind) / f"{text}.yaml"
    return shipped if shipped.is_file() else None
