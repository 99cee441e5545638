"""Registries of the pluggable parts: one per kind, mapping a name to the class behind it.

Each kind of lever (routing rules, worker dispatch rules, queue disciplines, evaluation
schemes) and the executors has one :class:`Registry`, the single list of its names: the
scenario schema checks names against it, the live app, ``govsim params`` and the
generated docs list it. A registry fills itself on first use, once: it imports the
govsim modules that register the built-in classes (``@ROUTING.register("tiered")``),
then every class an installed package declares in the registry's entry-point group::

    [project.entry-points."govsim.routing"]
    straight_to_street = "my_package.rules:StraightToStreet"

This module imports nothing of govsim but its errors, so every layer (the scenario
schema included) can read it; the built-in modules are named as strings and imported
only when a registry is first read, by which time the schema is loaded.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points
from typing import Any, TypeVar

from govsim.errors import GovsimError

C = TypeVar("C", bound=type)

#: The origin of an entry registered by govsim itself (a plugin's is its distribution).
BUILT_IN = "govsim"


@dataclass(frozen=True)
class Entry:
    """One registered class: its ``name``, the class and where it came from.

    ``origin`` is ``govsim`` for a built-in, else the entry point
    (``group: name = module:attr``) or ``in-process`` for a class registered by code.
    """

    name: str
    cls: type
    origin: str

    @property
    def description(self) -> str:
        """The first line of the class's docstring (empty if it has none)."""
        doc = inspect.getdoc(self.cls) or ""
        return doc.splitlines()[0] if doc else ""


class Registry:
    """Names of one kind of pluggable class, built-ins first, then plugins.

    Args:
        kind: what an entry is, in messages (``routing rule``).
        group: the entry-point group plugins declare entries in (``govsim.routing``).
        builtins: modules whose import registers the built-in entries.
        methods: methods every entry's class must have; checked when it registers.
    """

    def __init__(
        self,
        kind: str,
        group: str,
        builtins: tuple[str, ...] = (),
        methods: tuple[str, ...] = (),
    ) -> None:
        self.kind = kind
        self.group = group
        self.builtins = builtins
        self.methods = methods
        self._entries: dict[str, Entry] = {}
        self._loaded = False
        self._loading = False

    def register(self, name: str, cls: type | None = None, *, origin: str = "") -> Any:
        """Register ``cls`` under ``name``; without ``cls``, a class decorator doing so.

        ``origin`` defaults to ``govsim`` for a class of a built-in module, else
        ``in-process``. Raises ``GovsimError`` if ``name`` is taken by another class or
        the class lacks one of the registry's ``methods``.
        """
        if cls is None:

            def decorate(target: C) -> C:
                self.register(name, target, origin=origin)
                return target

            return decorate
        where = origin or (BUILT_IN if cls.__module__ in self.builtins else "in-process")
        taken = self._entries.get(name)
        if taken is not None and taken.cls is not cls:
            raise GovsimError(
                f"{self.kind} '{name}' ({where}): the name is taken by "
                f"{_qualname(taken.cls)} ({taken.origin})"
            )
        missing = [method for method in self.methods if not callable(getattr(cls, method, None))]
        if missing:
            raise GovsimError(
                f"{self.kind} '{name}' ({where}): {_qualname(cls)} lacks "
                f"{', '.join(missing)}; a {self.kind} needs {', '.join(self.methods)}"
            )
        self._entries[name] = Entry(name, cls, where)
        return cls

    def __getitem__(self, name: str) -> type:
        """The class registered as ``name``; raises ``GovsimError`` listing the known names."""
        self._load()
        entry = self._entries.get(name)
        if entry is None:
            raise GovsimError(f"{name!r}: {self.unknown_message()}")
        return entry.cls

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def names(self, plugins: bool = True) -> list[str]:
        """Registered names, in registration order; ``plugins=False``: govsim's own only."""
        return [entry.name for entry in self.entries(plugins)]

    def entries(self, plugins: bool = True) -> list[Entry]:
        """Registered entries, in registration order; ``plugins=False``: govsim's own only."""
        self._load()
        return [e for e in self._entries.values() if plugins or e.origin == BUILT_IN]

    def name_of(self, cls: type) -> str | None:
        """The name ``cls`` is registered under, or None."""
        self._load()
        return next((e.name for e in self._entries.values() if e.cls is cls), None)

    def unknown_message(self) -> str:
        """``unknown KIND; allowed: a, b, c``: the message for a name not registered."""
        return f"unknown {self.kind}; allowed: {', '.join(self.names())}"

    def _load(self) -> None:
        """Register the built-ins and the installed plugins, once (on first use)."""
        if self._loaded or self._loading:
            return
        self._loading = True
        try:
            for module in self.builtins:
                import_module(module)
            for point in entry_points(group=self.group):
                self.register(point.name, _load_plugin(point, self.kind), origin=_origin(point))
            self._loaded = True
        finally:
            self._loading = False


def _load_plugin(point: EntryPoint, kind: str) -> type:
    """The class an entry point names; ``GovsimError`` naming it if it cannot be loaded."""
    try:
        target = point.load()
    except Exception as exc:  # a plugin may fail in any way while importing
        raise GovsimError(
            f"{kind} plugin '{point.name}' ({_origin(point)}) failed to load: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not inspect.isclass(target):
        raise GovsimError(
            f"{kind} plugin '{point.name}' ({_origin(point)}) names {target!r}, not a class"
        )
    return target


def _origin(point: EntryPoint) -> str:
    dist = f" from {point.dist.name}" if point.dist is not None else ""
    return f"entry point {point.group}: {point.name} = {point.value}{dist}"


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


#: Routing rules (``routing.policy``): where an incident goes first and next.
ROUTING = Registry(
    "routing rule",
    "govsim.routing",
    ("govsim.policies.routing",),
    ("entry", "resolves", "escalate", "summons"),
)
#: Worker dispatch rules: which free grid worker takes the next incident.
DISPATCH = Registry("dispatch rule", "govsim.dispatch", ("govsim.policies.dispatch",), ("take",))
#: Queue disciplines (``routing.discipline``): which waiting incident a desk serves next.
DISCIPLINES = Registry(
    "queue discipline", "govsim.disciplines", ("govsim.policies.disciplines",), ("push", "pop")
)
#: Evaluation schemes (``incentives.points.scheme``): how grid workers are scored monthly.
EVALUATION = Registry(
    "evaluation scheme", "govsim.evaluation", ("govsim.policies.evaluation",), ("evaluate",)
)
#: Executors (``--executor``): where the runs of an experiment execute.
EXECUTORS = Registry(
    "executor",
    "govsim.executors",
    ("govsim.experiments.executors",),
    ("open", "map_unordered", "close"),
)
