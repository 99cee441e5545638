"""Building the world of a run from a scenario: residents, desks, staff, departments,
volunteers and surge crews.

Mesa numbers agents in creation order and the model's agent sets keep it, so the order
of building here is part of a run's behaviour (who patrols first, which free worker
stands where): desks and their staff region by region from the grid up, volunteers,
departments, surge crews.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from govsim.agents import (
    Department,
    DepartmentStaff,
    GridWorker,
    Office,
    OfficeStaff,
    PartTimeGridWorker,
    Population,
    Volunteer,
    Worker,
)
from govsim.engine.crews import Crew, Surge
from govsim.engine.incidents import IncidentKind
from govsim.policies.dispatch import DispatchContext
from govsim.policies.incentives import IncentiveScheme
from govsim.policies.routing import Desks
from govsim.record.ledger import Ledger, OfficeInfo
from govsim.registry import DISCIPLINES, DISPATCH
from govsim.world.geography import GridMap
from govsim.world.geography.offices import travel_adjacency
from govsim.world.rosters import Crew as CrewSpec
from govsim.world.rosters import Shift

#: The part-timers' shift when ``rosters.part_time`` gives none: ``staffing.part_time``'s.
PART_TIME_SHIFT = "staffing.part_time"

if TYPE_CHECKING:
    import mesa
    from mesa.discrete_space import Network


@dataclass
class World:
    """What a scenario builds: who lives where, and who can take an incident.

    ``resident_offsets[c]:resident_offsets[c + 1]`` are the residents of cell ``c``;
    ``office_table[rank][cell][kind]`` is the office desk taking that kind there;
    ``offices`` lists every desk (department desks included), in id order;
    ``crews`` the rostered crews (part-timers' included); ``duty_desks[cell]`` the duty
    desk of the cell's region (empty without one), taking the work of the desks from
    rank ``duty_from_rank`` up.
    """

    population: Population
    resident_offsets: np.ndarray
    offices: list[Office]
    office_table: list[list[list[Office]]]
    desks: Desks
    crews: list[Crew]
    surges: list[Surge]
    duty_desks: list[Office]
    duty_from_rank: int = 0


def exposure(grid_map: GridMap, kinds: list[IncidentKind]) -> np.ndarray:
    """Per cell and incident kind, the units its rate is per (households, shops or visitors)."""
    units = {
        "household": grid_map.households,
        "shop": grid_map.cell_values("shops"),
        "visitor": grid_map.cell_values("tourist_load"),
    }
    return np.column_stack([units[kind.spec.per] for kind in kinds])


class WorldBuilder:
    """Builds a model's world: its agents are created on ``model``, on ``space``."""

    def __init__(
        self,
        model: mesa.Model,
        space: Network,
        grid_map: GridMap,
        kinds: list[IncidentKind],
        incentives: IncentiveScheme,
        ledger: Ledger,
    ) -> None:
        self.model = model
        self.spec = model.spec
        self.space = space
        self.grid_map = grid_map
        self.kinds = kinds
        self.incentives = incentives
        self.ledger = ledger
        self.offices: list[Office] = []
        #: per rostered group, per desk, its handlers in hiring order
        self.groups: dict[str, list[list[Worker]]] = {}
        self.dispatch = DISPATCH[self.spec.routing.dispatch]
        self.travel = CellTravel(grid_map)
        self.categories = [kind.spec.category for kind in kinds]
        self.skills = sorted(set(self.categories))

    def build(self) -> World:
        """Build everything, in the order that numbers the agents (see the module)."""
        population, offsets = self.population()
        table = self.office_desks()
        self.volunteers()
        routing = self.spec.routing
        handoff_h = [0.0] + [
            routing.handoff_h.get(tier, 0.0) for tier in reversed(self.spec.tiers[:-1])
        ]
        desks = Desks(table, *self.departments(), handoff_h=handoff_h)
        surges, surge_crews = self.surges()
        duty_desks = self.duty_desks()
        duty = self.spec.rosters.duty_desk
        tiers = self.grid_map.tiers
        from_rank = (
            0 if duty is None or duty.from_tier is None else tiers[::-1].index(duty.from_tier)
        )
        return World(
            population,
            offsets,
            self.offices,
            table,
            desks,
            self.crews() + surge_crews,
            surges,
            duty_desks,
            from_rank,
        )

    def population(self) -> tuple[Population, np.ndarray]:
        """The residents, cell by cell; returns them and offsets so that cell c holds
        residents [o[c], o[c+1])."""
        per_agent = self.spec.residents.households_per_agent
        share = self.spec.map.vulnerable_share
        rng = self.model.rng
        offsets, cells, flags = [0], [], []
        for cell, households in enumerate(self.grid_map.households.tolist()):
            n_agents = max(1, math.ceil(households / per_agent))
            vulnerable = rng.random(n_agents) < share
            offsets.append(offsets[-1] + n_agents)
            cells.extend([cell] * n_agents)
            flags.extend(vulnerable.tolist())
        adjacency = nx.to_scipy_sparse_array(
            self.grid_map.graph, nodelist=range(self.grid_map.n_cells), weight=None
        )
        population = Population(
            np.array(cells), np.array(flags), adjacency, self.spec.behaviour, rng
        )
        return population, np.array(offsets)

    def office_desks(self) -> list[list[list[Office]]]:
        """One desk per region and tier (per category where the tier is specialised), with
        its staff; returns ``table[rank][cell][kind]``, the desk taking that kind there."""
        gm, staffing = self.grid_map, self.spec.staffing
        categories = sorted({kind.spec.category for kind in self.kinds})
        table = []
        n_tiers = len(gm.tiers)
        for rank in range(n_tiers):
            level = n_tiers - 1 - rank
            tier = gm.tiers[level]
            bottom = rank == 0
            specialised = tier in staffing.specialised
            groups = categories if specialised else [""]
            servers = staffing.grid_workers_per_grid if bottom else staffing.office_staff[tier]
            regions = []
            for region in range(gm.region_counts[level]):
                desks = {}
                for g, category in enumerate(groups):
                    name = gm.region_name(level, region) + (f"/{category}" if category else "")
                    share = servers // len(groups) + (g < servers % len(groups))
                    desk = self.desk(Office, name, tier, level, region, share)
                    desk.category = category
                    speed = staffing.specialist_speed if specialised else 1.0
                    roster = "grid_workers" if bottom else f"office_staff.{tier}"
                    self.staff(desk, share, speed, group=roster)
                    if bottom:
                        part = staffing.part_time.per_grid
                        part = part // len(groups) + (g < part % len(groups))
                        self.staff(desk, part, speed, group="part_time")
                    desks[category] = desk
                regions.append([desks[k.spec.category if specialised else ""] for k in self.kinds])
            table.append([regions[r] for r in gm.ancestors[level].tolist()])
        return table

    def desk(
        self,
        cls: type[Office],
        name: str,
        tier: str,
        level: int,
        region: int,
        servers: int,
        department: str | None = None,
    ) -> Office:
        """A desk at the office of ``region`` of tier ``level``, added to ``offices``."""
        gm = self.grid_map
        rank = len(gm.tiers) - 1 - level
        info = OfficeInfo(len(self.offices), name, tier, rank, servers, department)
        travel = gm.travel_from_office[level]
        travel = travel if rank == 0 else travel[region] + gm.within_cell_travel_h
        queue = DISCIPLINES[self.spec.routing.discipline]()
        home = int(gm.office_cells[level][region])
        rule = self.dispatch(DispatchContext(home, self.travel, self.categories))
        desk = cls(self.model, info, travel, queue, rule)
        desk.cell = self.space[home]
        self.offices.append(desk)
        return desk

    def staff(
        self,
        desk: Office,
        count: int,
        speed: float = 1.0,
        crew: list[Worker] | None = None,
        group: str | None = None,
    ) -> None:
        """Hire ``count`` handlers of the desk's kind, of roster ``group`` (see
        ``Rosters.roster``); a ``crew`` (a surge's) or a rostered group starts off duty
        and comes on when its shift does."""
        scheme, model = self.incentives, self.model
        rostered = group == "part_time" or (
            group is not None and self.spec.rosters.roster(group) is not None
        )
        on_duty = crew is None and not rostered
        hired: list[Worker] = []
        for _ in range(count):
            if isinstance(desk, Department):
                worker: Worker = DepartmentStaff(model, desk, scheme, speed, on_duty=on_duty)
            elif desk.rank > 0:
                worker = OfficeStaff(model, desk, scheme, scheme.availability * speed, 1.0, on_duty)
            else:
                cls = PartTimeGridWorker if group == "part_time" else GridWorker
                worker = cls(
                    model, desk, scheme, scheme.grid_speed * speed, scheme.fail_factor, on_duty
                )
            worker.cell = desk.cell
            worker.skill = desk.category or self.skills[len(desk.staff) % len(self.skills)]
            desk.hire(worker)
            if on_duty:
                self.ledger.staff_change(0.0, desk.id, worker.role, 1)
            elif crew is not None:
                crew.append(worker)
            hired.append(worker)
        if rostered:
            self.groups.setdefault(group, []).append(hired)

    def volunteers(self) -> None:
        """``staffing.volunteers_per_cell`` volunteers on every cell."""
        for cell in range(self.grid_map.n_cells):
            for _ in range(self.spec.staffing.volunteers_per_cell):
                Volunteer(self.model).cell = self.space[cell]

    def departments(self) -> tuple[list[dict[int, list[Office]]], dict[str, list[Office]]]:
        """Department desks, at home and sent down; returns, per incident kind, the desks
        owning it at each rank, per cell, and per department its desk nearest each cell."""
        gm, n_tiers = self.grid_map, len(self.grid_map.tiers)
        cells = np.arange(gm.n_cells)
        owners: dict[tuple[str, int], list[Office]] = {}
        nearest: dict[str, list[Office]] = {}
        for name, spec in self.spec.departments.items():
            level = gm.tiers.index(spec.tier)
            desk = self.desk(Department, name, spec.tier, level, 0, spec.staff, name)
            # its staff set out from the office of the tier's region holding the incident
            desk.round_trip_h = (
                2.0
                * (
                    gm.travel_from_office[level][gm.ancestors[level], cells]
                    + gm.within_cell_travel_h
                )
            ).tolist()
            self.staff(desk, spec.staff, group=f"departments.{name}")
            owners[name, n_tiers - 1 - level] = nearest[name] = [desk] * gm.n_cells
            stationed = self.spec.staffing.sent_down.get(name)
            if stationed is None:
                continue
            level = gm.tiers.index(stationed.tier)
            desks = []
            for region in range(gm.region_counts[level]):
                place = gm.region_name(level, region)
                desks.append(
                    self.desk(
                        Department,
                        f"{name}@{place}",
                        stationed.tier,
                        level,
                        region,
                        stationed.staff,
                        name,
                    )
                )
                self.staff(desks[-1], stationed.staff, group=f"sent_down.{name}")
            owners[name, n_tiers - 1 - level] = nearest[name] = [
                desks[r] for r in gm.ancestors[level].tolist()
            ]
        by_kind = [
            {rank: owners[dept, rank] for rank, dept in kind.owner_ranks.items()}
            for kind in self.kinds
        ]
        return by_kind, nearest

    def surges(self) -> tuple[list[Surge], list[Crew]]:
        """Surge crews, off duty until their surge starts and gone when it ends: those
        naming a shift work it on the surge's days (crews), the others around the clock
        for the whole surge."""
        tiers = self.grid_map.tiers
        surges: list[Surge] = []
        rostered: list[Crew] = []
        for surge in self.spec.staffing.surge:
            rank = len(tiers) - 1 - tiers.index(surge.tier)
            crew: list[Worker] = []
            for desk in self.offices:
                if desk.rank == rank and desk.info.department is None:
                    self.staff(desk, surge.extra, crew=crew)
            within = (surge.start_day * 24.0, (surge.start_day + surge.days) * 24.0)
            if surge.shift is None:
                surges.append((*within, crew))
            else:
                shift = self.spec.rosters.shifts[surge.shift]
                rostered.append(Crew(shift, crew, rank == 0, within))
        return surges, rostered

    def duty_desks(self) -> list[Office]:
        """The duty desk at each office of ``rosters.duty_desk.tier``, staffed on its shift;
        returns the desk of each cell's region (empty without a duty desk)."""
        spec = self.spec.rosters.duty_desk
        if spec is None:
            return []
        gm = self.grid_map
        level = gm.tiers.index(spec.tier)
        desks = []
        for region in range(gm.region_counts[level]):
            name = f"{gm.region_name(level, region)} duty desk"
            desks.append(self.desk(Office, name, spec.tier, level, region, spec.staff))
            self.staff(desks[-1], spec.staff, group="duty_desk")
        return [desks[r] for r in gm.ancestors[level].tolist()]

    def crews(self) -> list[Crew]:
        """The rostered groups' crews: each crew entry of a group's roster takes its
        ``staff`` handlers of each desk after the previous entries' (all without
        ``staff``); part-timers without a roster work ``staffing.part_time``'s shift."""
        rosters, part = self.spec.rosters, self.spec.staffing.part_time
        shifts = {PART_TIME_SHIFT: Shift(start_h=part.start_h, hours=part.hours), **rosters.shifts}
        crews = []
        for group, desks in self.groups.items():
            roster = rosters.roster(group)
            if roster is None:  # part-timers without a roster of their own
                roster = [CrewSpec(shift=PART_TIME_SHIFT)]
            taken = 0
            for entry in roster:
                if entry.staff is None:
                    workers = [w for hired in desks for w in hired]
                else:
                    workers = [w for hired in desks for w in hired[taken : taken + entry.staff]]
                    taken += entry.staff
                if workers:
                    grid = group in ("grid_workers", "part_time")
                    crews.append(Crew(shifts[entry.shift], workers, grid))
        return crews


class CellTravel:
    """Travel times (h) between map cells: the shortest path over the cell graph (edge
    weight ``travel_h``), each source cell's row computed once, when first asked for."""

    def __init__(self, grid_map: GridMap) -> None:
        self.adjacency = travel_adjacency(grid_map.graph)
        self.rows: dict[int, list[float]] = {}

    def __call__(self, a: int, b: int) -> float:
        """Hours from cell ``a`` to cell ``b``."""
        row = self.rows.get(a)
        if row is None:
            row = self.rows[a] = dijkstra(self.adjacency, indices=a).tolist()
        return row[b]
