"""The dated simulation: regimes on their dates, approval paths, stocks and transit, day by day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import ScenarioError
from ..dataset import schema
from ..dataset.graph import EngineIndex, SupplyGraph
from ..dataset.io import load_dated_tables
from ..dataset.production import Production, production_lines
from ..engine.propagate import SNAP, group_sum, step
from ..engine.sums import Sectors, share_pct
from ..scenario.licence import regime_state, regimes_by_id
from ..scenario.parse import Dynamics, LicencePolicy, Scenario, check_applicant, load_scenario
from ..scenario.resolve import issuing_country, line_stock_days, put_on_lines, select
from .draw_days import DayLoop, available, run_draw_days
from .dynamics import NewLinks, Orders, capacity_ratios
from .exposure import simulate

DAYS_PER_YEAR = 365.0
LOSS = 0.99  # a line's output below this share of baseline is a loss (first-loss day)
HORIZON_DAYS = 365
# Each line's output on every day is kept (for the network file, the page's date slider and
# notebooks) up to this many edges; above it the run keeps only what its reports need.
KEEP_DAYS_MAX_EDGES = 100_000
# Where a dated run's best case comes from: the monthly rerouting LP, or shifted orders.
BEST_CASES = ("lp", "orders")
# Draws go through the days in blocks of this many rows, so a day's arrays stay in a cache.
ROW_BLOCK = 64


@dataclass(frozen=True, eq=False)
class Timeline:
    """A dated run: what each product line and sector made, day by day.

    ``ratio[t, k]`` is line ``k``'s output on day ``dates[t]`` as a share of its baseline,
    when the run kept it (None otherwise: ``keep_days`` of :func:`simulate_days`);
    ``lines`` and ``sectors`` hold what the reports show; ``exports`` holds, per tracked
    selection, the tonnes shipped each day. ``quantile`` is None for the pro-rata mean run;
    ``applicant`` holds, when asked, the run in which every licence edge is an applicant at
    a quantile (its ``sectors`` and ``lines`` figures are also set beside the mean's,
    prefixed ``applicant_``).
    """

    graph: SupplyGraph
    scenario: Scenario
    production: Production
    dates: list[dt.date]
    ratio: np.ndarray | None
    exports: dict[str, np.ndarray]
    sectors: pd.DataFrame
    lines: pd.DataFrame
    change_dates: list[tuple[dt.date, str]]
    quantile: float | None = None  # None: the pro-rata mean; else every licence edge's place
    applicant: Timeline | None = None  # beside the mean: the run at an applicant's quantile
    records: pd.DataFrame | None = None  # per line and day, when asked (``records``)
    draws: DrawRecord | None = None  # a run of draws (``rows``): what each draw made

    def lowest(self) -> pd.DataFrame:
        """Return each sector's lowest output, its first day at that level and its first
        loss: what the terminal, the page and a notebook show of a dated run.

        Returns
        -------
        pandas.DataFrame
            One row per sector: ``sector``, ``output_pct`` (the lowest, % of baseline),
            ``date`` (its first day at that level) and ``first_loss`` (the first day any
            of its makers' lines makes less); dates are empty where there is none.
        """
        if "sector" not in self.sectors:  # a part of the graph without makers (--focus)
            return pd.DataFrame(columns=["sector", "output_pct", "date", "first_loss"])
        rows = self.sectors.loc[self.sectors.groupby("sector", sort=True)["output_pct"].idxmin()]
        table = rows[["sector", "output_pct", "date"]].reset_index(drop=True)
        table["date"] = table["date"].astype(str)
        table.loc[table["output_pct"] >= 100 - 1e-9, "date"] = ""  # never short: no day
        makers = self.lines[
            (self.lines["stage"] == "manufacturer") & (self.lines["first_loss"] != "")
        ]
        first = makers.groupby("sector")["first_loss"].min()
        table["first_loss"] = [str(first.get(s, "")) for s in table["sector"]]
        return table

    def __repr__(self) -> str:
        worst = self.lowest().sort_values("output_pct").head(1)
        low = "".join(
            f"; lowest {schema.sector_label(r.sector)} {r.output_pct:.1f}%"
            for r in worst.itertuples()
        )
        who = "" if self.quantile is None else f", applicant at {self.quantile:g}"
        return (
            f"<Timeline {self.scenario.name!r}: {self.dates[0]} to {self.dates[-1]}, "
            f"{self.sectors['sector'].nunique()} sectors{who}{low}>"
        )

    def _repr_html_(self) -> str:
        """Each sector's lowest output and when, for notebooks (text is escaped)."""
        import html

        title = html.escape(repr(self))
        return f"<p><strong>{title}</strong></p>" + self.lowest().to_html(
            index=False, escape=True, float_format="{:,.1f}".format
        )


@dataclass(frozen=True, eq=False)
class DrawRows:
    """Drawn inputs of a run of draws, one row per draw (a leading axis through the days).

    ``flow_factor`` scales each edge's flow (draws x edges of the data's graph),
    ``stock_factor`` each node's days of stock (draws x nodes), and ``queue`` the places
    in the queue of licence applications of each edge's ``k`` applications (draws x edges
    x k, in [0, 1]; draws x edges is one application each): on a day a licence edge ships
    the share of its applications whose place is within the share approved (all or
    nothing for one: :func:`applicant_share`), each edge an applicant of its own.
    ``applications`` gives each draw's count of applications per edge, the first that
    many of its ``k`` places (default: all ``k``).
    ``transit`` holds each draw's days per route (draws x rows of the transit table): every
    edge on a route takes its draw's days (:func:`transit_routes`); None: the table's.
    """

    flow_factor: np.ndarray
    stock_factor: np.ndarray
    queue: np.ndarray
    applications: np.ndarray | None = None  # per draw, how many of the k places count
    # per draw and row of the transit table (its route), the days a shipment on that route
    # takes (whole days, at least 1); None: the table's days in every draw
    transit: np.ndarray | None = None

    def __post_init__(self) -> None:
        """Read one place per edge as one application; every place counts by default."""
        if self.queue.ndim == 2:
            object.__setattr__(self, "queue", self.queue[:, :, None])
        if self.applications is None:
            count = np.full(len(self.queue), self.queue.shape[2], dtype=np.int64)
            object.__setattr__(self, "applications", count)

    @property
    def n(self) -> int:
        """Number of draws."""
        return len(self.queue)

    def block(self, first: int, stop: int) -> DrawRows:
        """Return draws ``first`` to ``stop - 1``.

        Parameters
        ----------
        first, stop
            The range of draws.

        Returns
        -------
        DrawRows
        """
        return DrawRows(
            self.flow_factor[first:stop],
            self.stock_factor[first:stop],
            self.queue[first:stop],
            self.applications[first:stop],
            None if self.transit is None else self.transit[first:stop],
        )


@dataclass(frozen=True, eq=False)
class DrawRecord:
    """What each draw of a run made: per draw and line, the first loss and recovery (day
    index, -1: none); per month, draw and maker line, the units and tonnes lost; per
    tracked selection, draw and day, the tonnes shipped."""

    first_loss: np.ndarray  # draws x lines
    recovery: np.ndarray  # draws x lines
    months: list[str]  # YYYY-MM of each month of the run
    makers: np.ndarray  # the maker lines (positions in the lines graph)
    lost_units: np.ndarray  # months x draws x maker lines
    lost_t: np.ndarray  # months x draws x maker lines
    exports: dict[str, np.ndarray]  # name -> days x draws

    def joined(self, records: list[DrawRecord]) -> DrawRecord:
        """Return this run's records of several blocks of draws as one, in order.

        Parameters
        ----------
        records
            The blocks' records (this one among them, typically first).

        Returns
        -------
        DrawRecord
        """
        return DrawRecord(
            np.concatenate([r.first_loss for r in records]),
            np.concatenate([r.recovery for r in records]),
            self.months,
            self.makers,
            np.concatenate([r.lost_units for r in records], axis=1),
            np.concatenate([r.lost_t for r in records], axis=1),
            {k: np.concatenate([r.exports[k] for r in records], axis=1) for k in self.exports},
        )


def simulate_days(
    graph: SupplyGraph,
    scenario: Scenario | str | Path,
    approvals: pd.DataFrame | None = None,
    transit: pd.DataFrame | None = None,
    capacity: pd.DataFrame | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    track: dict[str, np.ndarray] | None = None,
    progress: Callable[[int], None] | None = None,
    applicant: float | None = None,
    keep_days: bool | None = None,
    records: bool = False,
    best_case: str = "lp",
    rows: DrawRows | None = None,
    compiled: bool | None = None,
) -> Timeline:
    """Run a scenario day by day over a horizon.

    Each day, every licence edge carries its regime's licensed share for that date (an
    approval path, or the scenario's constant share; nothing before a regime's effective
    date or inside its suspension), shipments arrive after their transit time, and each
    product line makes what its scarcest input allows, drawing on its stock of each input
    (days of cover x daily need) when deliveries fall short. Stocks are rebuilt only from
    deliveries a line does not use that day, up to their starting level: suppliers do not
    raise output above their baseline to refill them. Before the first day everything is
    at baseline, so shipments already under way arrive in full.

    With the scenario's ``dynamics`` on, buyers place orders (restocking at the rebuild
    rate, shifting to suppliers with spare capacity, following their own output) and
    suppliers make what is ordered, above their baseline up to their capacity
    (:class:`supplygraph.analyses.dynamics.Orders`); the lines table then also holds each
    line's ``lost_orders_t``, ``max_output_pct`` and ``above_baseline_t``.

    The licensed share spreads pro rata over every licence edge: the mean over applicants.
    With ``applicant``, a second run sits beside it in which every licence edge is an
    applicant at that quantile of the queue of applications (:func:`applicant_share`).

    Under a constant scenario the run settles on the static engine's steady state
    (:func:`supplygraph.analyses.exposure.simulate`).

    Parameters
    ----------
    graph
        The supply graph.
    scenario
        The scenario (a Scenario, a scenario's name or a TOML file); its ``start`` and
        ``end`` are the horizon unless given here.
    approvals
        Approval paths (:func:`supplygraph.dataset.io.load_dated_tables`); None: the
        dataset's tables (its own, else the bundled ones), with its capacity table.
    transit
        Transit days by route (same).
    start, end
        The first and last day (default: the scenario's, else its ``as_of`` or today's
        date, and a year later).
    track
        Edge masks whose shipments (tonnes leaving the supplier each day) to record.
    progress
        Called with the number of days done, every 30 days (for a progress bar); with an
        applicant (or the best case from orders), the days of every run are counted.
    capacity
        Capacity by date (``capacity.csv``): with it, each sector also gets a best case,
        ``best_output_pct``: the day's output plus what rerouting gains in the steady state
        of its month (the linear program solved on the month's first day, with that day's
        licensed shares and the capacity that exists that day), at most 100%. For the
        mean run only.
    applicant
        A quantile in [0, 1] (1: the last applicant); None: the scenario's ``applicant``,
        and with none there, the mean run only.
    keep_days
        Keep every line's output on every day (``Timeline.ratio``, days x lines); None:
        only for graphs of at most ``KEEP_DAYS_MAX_EDGES`` edges. The run itself keeps a
        window of the longest transit time, so its memory does not grow with the horizon.
    records
        Keep each line's output, stock cover and limiting input on every day
        (``Timeline.records``, long format: date, node, line, ``output_pct``,
        ``cover_days`` and ``limiting_input``).
    best_case
        With ``capacity``, where ``best_output_pct`` comes from: ``lp``, the monthly
        rerouting LP (above); ``orders``, the run in which buyers shift their orders to
        suppliers with spare capacity (the scenario's dynamics with ``shift_orders`` on),
        the LP's figure then kept beside it as a check (``best_lp_output_pct``).
    rows
        Drawn inputs (:class:`DrawRows`): run every draw at once, as rows through each day,
        instead of the mean (and applicant) run; the result's ``draws`` holds what each
        made (``sectors`` and ``lines`` are then empty).
    compiled
        With ``rows``, run the draws through the compiled day loop
        (:mod:`supplygraph.analyses.draw_days`: the same figures, bit for bit) instead of
        the numpy one; None: when numba is installed.

    Returns
    -------
    Timeline
        The mean run, with the applicant's in ``applicant`` when asked.

    Raises
    ------
    ScenarioError
        For a ``best_case`` other than ``lp`` or ``orders``, an approval path the table
        does not have, a quantile outside [0, 1], or a
        horizon that ends before it starts, is longer than ``schema.MAX_RUN_DAYS`` or
        leaves the days from ``schema.FIRST_RUN_DAY`` to ``schema.LAST_RUN_DAY``.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, data_dir=graph.folder)
    if approvals is None or transit is None:  # the dataset's tables, as the command reads them
        tables = load_dated_tables(graph.folder, nodes=graph.nodes)
        approvals = tables.approvals if approvals is None else approvals
        transit = tables.transit if transit is None else transit
        capacity = tables.capacity if capacity is None else capacity
    if best_case not in BEST_CASES:
        raise ScenarioError(f"best case: expected lp or orders, got {best_case!r}")
    quantile = scenario.applicant if applicant is None else applicant
    if quantile is not None:
        quantile = check_applicant(quantile, "applicant")
    start, end = run_days(scenario, start, end)
    # a path's (or a node's) latest row on or before a day is its latest by date: rows in
    # date order, whatever the file's order (a copy; the caller's tables are left alone)
    approvals = approvals.sort_values("from", kind="stable")
    if capacity is not None:
        capacity = capacity.sort_values("from", kind="stable")
    dates = [start + dt.timedelta(days=d) for d in range((end - start).days + 1)]
    production = production_lines(graph)
    lines_graph = production.graph
    index = lines_graph.index
    n_days = len(dates)
    segments, change_dates = _segments(graph, scenario, approvals, dates)
    segment_of_day = np.searchsorted([d for d, _ in segments], dates, side="right") - 1
    tau = transit_days(graph, transit)[production.edge]
    route = transit_routes(*_edge_countries(graph), transit)[production.edge]
    src, flow = index.src, index.flow / DAYS_PER_YEAR
    need = index.group_base / DAYS_PER_YEAR
    stock_max = line_stock_days(graph, scenario, production)[index.group_node] * need
    # every input at once: a shipment left its supplier at least a day before it arrives
    groups = index.whole
    edges, part_src, part_tau = groups.edges, src[groups.edges], tau[groups.edges]
    no_baseline = need <= 0
    weight = np.divide(
        index.flow[edges],
        index.group_base[groups.group_local],
        out=np.zeros(len(edges)),
        where=~no_baseline[groups.group_local],
    )
    tracked = {name: mask[production.edge] for name, mask in (track or {}).items()}
    keep = graph.n_edges <= KEEP_DAYS_MAX_EDGES if keep_days is None else keep_days

    def drawn_tau(rows: DrawRows | None) -> np.ndarray:
        """Each part's transit days: per draw and part when the draws drew them (a
        route's days for every part on it), else the table's, one per part."""
        if rows is None or rows.transit is None or not len(edges):
            return part_tau
        part_route = route[edges]  # -1 (no row): the table's 30 days, never drawn
        days = np.where(part_route >= 0, rows.transit[:, np.maximum(part_route, 0)], part_tau)
        return part_tau if (days == part_tau).all() else days  # no draw moved: as before

    # days of output the lags reach: the longest transit time of any draw
    window = int(drawn_tau(rows).max()) + 1 if len(edges) else 1
    sectors = Sectors.of(lines_graph.nodes)
    if scenario.dynamics.active or (best_case == "orders" and capacity is not None):
        assumed = np.full(graph.n_nodes, np.nan)  # the scenario's [[capacity]], a later one last
        for entry in scenario.capacity:
            assumed[select(graph, entry.select)] = 1 + entry.spare
        line_capacity = capacity_ratios(
            dates,
            lambda day: _line_capacity(graph, production, capacity, day, assumed),
            []
            if capacity is None
            else [dt.date.fromisoformat(d) for d in capacity["from"].dropna().unique()],
        )

    puts: dict[tuple[int, ...], tuple] = {}  # a list of stretches' scenarios, put on lines

    def put_segments(dated: list[Scenario]) -> tuple[np.ndarray, np.ndarray, str, list]:
        """Per stretch, each part's and line's share, the issuing country and the
        disruptions (once)."""
        key = tuple(map(id, dated))
        if key not in puts:
            part_share = np.ones((len(dated), lines_graph.n_edges))
            line_share = np.ones((len(dated), lines_graph.n_nodes))  # outages, by stretch
            applied, disruptions = [], []
            for s, scenario_then in enumerate(dated):
                put = put_on_lines(graph, scenario_then, production=production)
                part_share[s], line_share[s] = put.lines.edge_share, put.lines.node_share
                applied += put.disruption.applied
                disruptions.append(put.disruption)
            puts[key] = (part_share, line_share, issuing_country(applied), disruptions)
        return puts[key]

    def put_licences(dated: list[Scenario]) -> tuple[np.ndarray, np.ndarray]:
        """Per stretch, each part's share under the rules alone and the licences alone."""
        key = (-1, *map(id, dated))
        if key not in puts:
            rule = np.ones((len(dated), lines_graph.n_edges))
            licence = np.ones((len(dated), lines_graph.n_edges))
            for s, then in enumerate(dated):
                rules_only, licences_only = (
                    then.with_changes(licences=()),
                    then.with_changes(rules=()),
                )
                rule[s] = put_on_lines(graph, rules_only, production=production).lines.edge_share
                licence[s] = put_on_lines(
                    graph, licences_only, production=production
                ).lines.edge_share
            puts[key] = (rule, licence)
        return puts[key]

    def timeline(
        dated: list[Scenario],
        done: int,
        q: float | None,
        rows: DrawRows | None = None,
        dynamics: Dynamics = scenario.dynamics,
    ) -> Timeline:
        """Day by day under the segments' scenarios (``done`` days already run); with
        ``rows``, every draw at once (a leading axis of draws; the dynamics run on the
        single run only)."""
        if rows is not None and rows.n > ROW_BLOCK and not compiled:  # blocks that fit a cache
            blocks = [
                timeline(dated, done, q, rows.block(first, first + ROW_BLOCK))
                for first in range(0, rows.n, ROW_BLOCK)
            ]
            assert blocks[0].draws is not None
            return replace(blocks[0], draws=blocks[0].draws.joined([b.draws for b in blocks]))
        part_share, line_share, issuer, disruptions = put_segments(dated)
        if rows is None:
            n_rows, shares = 1, None
            row_weight, row_need, row_flow = weight[None, :], need[None, :], flow[None, :]
            row_stock_max, row_no_baseline = stock_max[None, :], no_baseline[None, :]
        else:
            shipping = np.flatnonzero(np.any(list(tracked.values()), axis=0)) if tracked else []
            shipping = np.asarray(shipping, dtype=np.int64)
            n_rows = rows.n
            shares = _queue_shares(
                put_licences(dated),
                production,
                rows,
                {"shipping": shipping} if compiled else {"inputs": edges, "shipping": shipping},
            )
            row_flow = flow * rows.flow_factor[:, production.edge]
            base = group_sum(row_flow[:, edges], groups) if len(edges) else np.zeros((n_rows, 0))
            row_need, row_no_baseline = base, base <= 0
            row_weight = np.divide(
                row_flow[:, edges],
                base[:, groups.group_local],
                out=np.zeros((n_rows, len(edges))),
                where=~row_no_baseline[:, groups.group_local],
            )
            days_of_stock = line_stock_days(graph, scenario, production)
            days_of_stock = days_of_stock * rows.stock_factor[:, production.node]
            row_stock_max = days_of_stock[:, index.group_node] * row_need
        draw_record = None if rows is None else _DrawAccount(lines_graph, dates, n_rows, row_flow)
        row_tau = drawn_tau(rows)  # per part, or per draw and part when drawn
        exports = {name: np.zeros((n_days, n_rows)) for name in tracked}
        if rows is not None and compiled:
            loop = DayLoop(
                row_weight,
                rows.queue,
                rows.applications,
                production.edge[edges],
                *(put[:, edges] for put in put_licences(dated)),
                part_src,
                row_tau,
                groups.group_local,
                groups.node_first,
                groups.nodes,
                index.group_node,
                row_need,
                row_no_baseline,
                row_stock_max,
                line_share,
                segment_of_day,
                draw_record.month_of_day,
                window,
                LOSS,
            )
            watched = src[shipping]
            figures = run_draw_days(
                loop,
                draw_record.makers,
                draw_record.units,
                draw_record.intake,
                len(draw_record.months),
                watched,
            )
            draw_record.first_loss, draw_record.recovery = figures[0], figures[1]
            draw_record.lost_units, draw_record.lost_t = figures[2], figures[3]
            for t in range(n_days) if tracked else ():  # as the numpy loop ships them
                now = np.full(len(shipping), segment_of_day[t])
                shipped = row_flow[:, shipping] * shares["shipping"](now)
                shipped *= figures[4][t]
                for name, mask in tracked.items():
                    exports[name][t] = shipped[:, mask[shipping]].sum(axis=1)
            return _draws_only(draw_record.record(exports))
        stock = row_stock_max.copy()
        kept = np.ones((n_days, lines_graph.n_nodes)) if keep and rows is None else None
        line_record = _LineRecord(lines_graph.n_nodes)
        sector_record = _SectorRecord(sectors, lines_graph.baseline_t, issuer, n_days)
        last_stretch = None
        orders = None
        if dynamics.active and rows is None:  # one run: the draws run without adaptation
            links = None
            if dynamics.new_links and dynamics.shift_orders:
                links = NewLinks(
                    index,
                    lines_graph,
                    production.node,
                    disruptions,
                    line_share,
                    segment_of_day,
                    lambda seller, buyer: transit_between(seller, buyer, transit),
                    DAYS_PER_YEAR,
                )
            part_licensed = part_share[:, edges]  # per stretch, in the groups' edge order
            orders = Orders(
                index,
                dynamics,
                line_capacity,
                part_tau,
                stock_max,
                need,
                links,
                licence=part_licensed,
                segment_of_day=segment_of_day,
            )
        # day t's output sits in columns (t % window) x lines of each row (with orders, in
        # their own ring: that day runs compiled, Orders.make)
        recent = np.ones((n_rows, window * lines_graph.n_nodes)) if orders is None else None
        daily = _DailyRecord(index, n_days) if records and rows is None else None
        n_lines = lines_graph.n_nodes
        for t in range(n_days):
            if orders is not None:  # one compiled pass: the step with the orders, the stocks
                own = line_share[segment_of_day[t]]  # an outage bites on its day
                orders.start_day(t)
                if orders.links is not None:  # deliveries over new links
                    stock = orders.links.receive(t, stock[0])[None, :]
                today, total, made = orders.make(t, own, stock[0])
                today, made = today[None, :], made[None, :]
                orders.end_day(t, part_licensed[segment_of_day[t]])
                if daily is not None:
                    daily.add(t, today[0], total, no_baseline, stock[0], need)
            else:
                # an outage bites on its day
                today = np.repeat(line_share[segment_of_day[t]][None, :], n_rows, axis=0)
                arrived = np.zeros_like(row_need)
                arrived_share = stock_share = arrived
                if len(edges):
                    lag = t - row_tau
                    before = lag < 0
                    lagged = np.maximum(lag, 0)
                    slot = lagged % window
                    column = slot * n_lines + part_src
                    early = before.any()
                    if column.ndim == 2:  # a draw's own transit times: its own columns
                        sent = np.take_along_axis(recent, column, axis=1)
                    else:
                        sent = recent[:, column]
                    supplier = np.where(before, 1.0, sent) if early else sent
                    if shares is None:
                        licensed = np.where(before, 1.0, part_share[segment_of_day[lagged], edges])
                        weighted = row_weight * licensed
                    else:  # the draws' shares change only when a lagged stretch does
                        stretch = segment_of_day[lagged]
                        if (
                            early
                            or last_stretch is None
                            or not np.array_equal(stretch, last_stretch)
                        ):
                            licensed = np.where(before, 1.0, shares["inputs"](stretch))
                            # a day with shipments from before the start is not reused: its
                            # stretches match the next day's, its shares do not
                            weighted = row_weight * licensed
                            last_stretch = None if early else stretch
                    stock_share = np.divide(
                        stock, row_need, out=np.zeros_like(row_need), where=~row_no_baseline
                    )
                    inputs = step(
                        groups,
                        weighted,
                        supplier,
                        today[:, groups.nodes],
                        row_no_baseline,
                        stock_share,
                    )
                    today[:, groups.nodes] = inputs.ratio
                    arrived_share = inputs.arrived
                    arrived = arrived_share * row_need
                used = today[:, index.group_node] * row_need
                stock = np.clip(stock + arrived - used, 0.0, row_stock_max)
                at = (t % window) * n_lines
                made = today
                recent[:, at : at + n_lines] = made
                if daily is not None:
                    total = arrived_share[0] + stock_share[0]
                    daily.add(t, today[0], total, no_baseline, stock[0], need)
            if kept is not None:
                kept[t] = today[0]
            if draw_record is None:
                line_record.add(t, today[0])
                sector_record.add(t, today[0])
                licensed_now = part_share[segment_of_day[t]]
            else:
                draw_record.add(t, today)
            if shares is None:
                shipped = row_flow * licensed_now * made[:, src]
                if orders is not None and tracked:
                    shipped[:, edges] *= orders.placed_on(t)
                for name, mask in tracked.items():
                    exports[name][t] = shipped[:, mask].sum(axis=1)
            elif tracked:
                now = np.full(len(shipping), segment_of_day[t])
                shipped = row_flow[:, shipping] * shares["shipping"](now)
                shipped *= today[:, src[shipping]]
                for name, mask in tracked.items():
                    exports[name][t] = shipped[:, mask[shipping]].sum(axis=1)
            if progress is not None and (t + 1) % 30 == 0:
                progress(done + t + 1)
        if draw_record is not None:
            return _draws_only(draw_record.record(exports))
        lines = line_record.table(lines_graph, dates, stock[0], need)
        exports = {name: shipped_daily[:, 0] for name, shipped_daily in exports.items()}
        if orders is not None:
            base = lines_graph.baseline_t / DAYS_PER_YEAR
            lines["lost_orders_t"] = base * orders.lost_orders
            lines["max_output_pct"] = 100 * orders.highest
            lines["above_baseline_t"] = base * orders.above
            if orders.links is not None:
                received = orders.links.received
                lines["new_links_t"] = np.bincount(index.group_node, received, minlength=len(base))
        return Timeline(
            graph,
            scenario,
            production,
            dates,
            kept,
            exports,
            sector_record.table(dates),
            lines,
            change_dates,
            q,
            records=None if daily is None else daily.table(lines_graph, dates),
        )

    def _draws_only(record: DrawRecord) -> Timeline:
        """A run of draws: what each made, and no mean run's tables."""
        return Timeline(
            graph,
            scenario,
            production,
            dates,
            None,
            {},
            pd.DataFrame(),
            pd.DataFrame(),
            change_dates,
            draws=record,
        )

    if rows is not None:
        if compiled is None:
            compiled = available()
        return timeline([dated for _, dated in segments], 0, None, rows)
    mean = timeline([dated for _, dated in segments], 0, None)
    if capacity is not None and not mean.sectors.columns.empty:  # a part without makers
        lp = _best_case(graph, segments, capacity, dates, mean.sectors)
        if best_case == "lp":
            mean.sectors["best_output_pct"] = lp
        else:  # the rule's run (the mean's own when it shifts orders); the LP as its check
            shifting = replace(scenario.dynamics, shift_orders=True)
            moved = mean
            if not scenario.dynamics.shift_orders:
                moved = timeline([dated for _, dated in segments], n_days, None, dynamics=shifting)
            mean.sectors["best_output_pct"] = moved.sectors["output_pct"].to_numpy()
            mean.sectors["best_lp_output_pct"] = lp
    if quantile is None:
        return mean
    queued = timeline([_as_applicant(dated, quantile) for _, dated in segments], n_days, quantile)
    return replace(
        mean,
        applicant=queued,
        sectors=_beside(mean.sectors, queued.sectors, ["date", "sector"]),
        lines=_beside(
            mean.lines,
            queued.lines,
            [
                "node",
                "line",
                "stage",
                "country",
                "sector",
                *(["layer"] if "layer" in mean.lines else []),
            ],
        ),
    )


def _queue_shares(
    put: tuple[np.ndarray, np.ndarray],
    production: Production,
    rows: DrawRows,
    parts_of: dict[str, np.ndarray],
) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Per draw, what each part of a flow ships: its rules' share, and on a licence edge the
    share of its applications whose place in the queue is within the share approved (1 or
    0 for one application).

    ``put`` holds per stretch each part's share under the rules alone and the licences
    alone; ``parts_of`` names fixed sets of parts (``shares[name](segment)`` gives the
    rows x parts for those parts, ``segment`` one stretch per part), so each draw's places
    are gathered, and the share of them approved counted, once per stretch."""
    rule, licence = put

    def shares_of(parts: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        places = rows.queue[:, production.edge[parts]]  # rows x parts x applications
        counts = rows.applications[:, None]  # per row, the first that many places count
        if (counts == places.shape[-1]).all():
            counted = True
        else:
            counted = np.arange(places.shape[-1]) < counts[:, :, None]  # rows x 1 x k
        ships = np.empty((len(licence), places.shape[1], places.shape[0]))  # stretch, part, row
        for stretch, approved in enumerate(licence[:, parts]):
            approved = approved[:, None]  # per part, against its applications
            count = ((places <= approved) & (approved > 0) & counted).sum(axis=-1)
            ships[stretch] = (count / counts).T
        column = np.arange(len(parts))

        def shares(segment: np.ndarray) -> np.ndarray:
            if segment.ndim == 2:  # a stretch per row and part (drawn transit times)
                own = ships[segment, column, np.arange(len(segment))[:, None]]
            else:
                own = ships[segment, column].T
            return np.minimum(rule[segment, parts], own)

        return shares

    return {name: shares_of(parts) for name, parts in parts_of.items()}


def run_days(
    scenario: Scenario,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    names: tuple[str, str] = ("the first day", "the last day"),
) -> tuple[dt.date, dt.date]:
    """Return a dated run's first and last day, checked.

    The days given, else the scenario's ``start`` (or ``as_of``, or today) and ``end`` (or
    a year on). They must lie from ``schema.FIRST_RUN_DAY`` to ``schema.LAST_RUN_DAY``,
    the last not before the first, at most ``schema.MAX_RUN_DAYS`` apart.

    Parameters
    ----------
    scenario
        The scenario.
    start, end
        The first and last day asked for; None for the scenario's.
    names
        What to call ``start`` and ``end`` in messages (e.g. the options that gave them).

    Returns
    -------
    tuple of datetime.date

    Raises
    ------
    ScenarioError
        Naming the day at fault: ``names``, or the scenario file and key it came from.

    Examples
    --------
    >>> run_days(Scenario("x", start=dt.date(2025, 3, 1)))
    (datetime.date(2025, 3, 1), datetime.date(2026, 2, 28))
    >>> run_days(Scenario("x"), dt.date(2025, 6, 1), dt.date(2025, 5, 1), names=("--from", "--to"))
    Traceback (most recent call last):
    ...
    supplygraph._errors.ScenarioError: --to: 2025-05-01 is before --from, 2025-06-01
    """
    where = scenario.path or f"scenario {scenario.name!r}"
    if start is not None:
        first, first_from = start, names[0]
    elif scenario.start is not None:
        first, first_from = scenario.start, f"{where}: start"
    elif scenario.as_of is not None:
        first, first_from = scenario.as_of, f"{where}: as_of (the first day without a start)"
    else:
        first, first_from = dt.date.today(), f"{names[0]} (today)"
    problem = schema.run_day_problem(first)
    if problem:
        raise ScenarioError(f"{first_from}: {problem}")
    if end is not None:
        last, last_from = end, names[1]
    elif scenario.end is not None:
        last, last_from = scenario.end, f"{where}: end"
    else:
        last, last_from = first + dt.timedelta(days=HORIZON_DAYS - 1), f"{names[1]} (a year on)"
    problem = schema.run_day_problem(last)
    if problem:
        raise ScenarioError(f"{last_from}: {problem}")
    if last < first:
        raise ScenarioError(f"{last_from}: {last} is before {first_from}, {first}")
    days = (last - first).days + 1
    if days > schema.MAX_RUN_DAYS:
        raise ScenarioError(
            f"{last_from}: the run from {first} to {last} is {days:,} days; a dated run "
            f"covers at most {schema.MAX_RUN_DAYS:,} days (ten years)"
        )
    return first, last


def _later(day: dt.date, days: int) -> dt.date:
    """The day ``days`` after ``day``, or the calendar's last day when that is later: a
    regime that ends on 9999-12-31 changes nothing a run can reach."""
    if day > dt.date.max - dt.timedelta(days=days):
        return dt.date.max
    return day + dt.timedelta(days=days)


def applicant_share(share: float, quantile: float) -> float:
    """Return what an applicant at a quantile ships when a share of applications is approved.

    Applications queue by their place ``q``: the tonnage share of all applications that
    comes before them, so ``q`` runs from 0 (the first in line) to 1 (the last). A share
    ``a`` of the tonnes applied for is approved: the applications up to ``a``. So an
    applicant ships in full when ``q <= a`` and nothing otherwise; the first in line
    (``q = 0``) ships whenever anything is approved (``a > 0``), the last (``q = 1``) only
    when everything is. Over ``q`` uniform in [0, 1] the shipments average ``a``: the
    pro-rata mean.

    Parameters
    ----------
    share
        The share approved, ``a`` in [0, 1].
    quantile
        The applicant's place, ``q`` in [0, 1].

    Returns
    -------
    float
        1.0 or 0.0.

    Examples
    --------
    >>> applicant_share(0.26, 0.5), applicant_share(0.6, 0.5), applicant_share(1.0, 1.0)
    (0.0, 1.0, 1.0)
    """
    return 1.0 if share > 0 and quantile <= share else 0.0


def _as_applicant(scenario: Scenario, quantile: float) -> Scenario:
    """The scenario with each licence policy's share as an applicant at ``quantile`` gets it."""
    policies = []
    for policy in scenario.licences:
        share = applicant_share(policy.share if policy.action == "throttle" else 0.0, quantile)
        policies.append(replace(policy, action="throttle" if share else "cut", share=share))
    return replace(scenario, licences=tuple(policies))


def _beside(mean: pd.DataFrame, other: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The mean's table with the other run's figures after it, prefixed ``applicant_``."""
    if other.columns.empty:  # a graph without makers has no sector table
        return mean
    figures = other.drop(columns=keys).add_prefix("applicant_")
    return pd.concat([mean, figures], axis=1)


def node_output_pct(timeline: Timeline) -> np.ndarray:
    """Return each node's output on each day as a share of its baseline (%, by tonnes).

    A node's output is the sum over its product lines; a node with no baseline is at 100%.

    Parameters
    ----------
    timeline
        A dated run.

    Returns
    -------
    numpy.ndarray
        Shape (days, nodes of ``timeline.graph``).

    Raises
    ------
    ValueError
        When the run kept no daily output (``keep_days``).
    """
    if timeline.ratio is None:
        raise ValueError(
            "the run did not keep each day's output (simulate_days(..., keep_days=True))"
        )
    graph, production = timeline.graph, timeline.production
    base = production.graph.baseline_t
    node_base = production.per_node(base, graph.n_nodes)
    after = np.stack([production.per_node(r * base, graph.n_nodes) for r in timeline.ratio])
    return np.where(node_base > 0, share_pct(after, node_base), 100.0)  # nothing to lose: 100%


def transit_days(graph: SupplyGraph, transit: pd.DataFrame) -> np.ndarray:
    """Return each edge's transit time in whole days: the first row of the transit table
    whose origin and destination lists hold its supplier's and customer's countries
    (``*`` any country, ``same`` the origin's own).

    Parameters
    ----------
    graph
        The supply graph.
    transit
        The transit table (:func:`supplygraph.dataset.io.load_dated_tables`).

    Returns
    -------
    numpy.ndarray
        One integer >= 1 per edge (30 where no row matches).
    """
    return transit_between(*_edge_countries(graph), transit)


def _edge_countries(graph: SupplyGraph) -> tuple[np.ndarray, np.ndarray]:
    """Each edge's supplier's and customer's countries."""
    country = graph.nodes["country"].to_numpy()
    return country[graph.edges["src"].to_numpy()], country[graph.edges["dst"].to_numpy()]


def transit_between(seller: np.ndarray, buyer: np.ndarray, transit: pd.DataFrame) -> np.ndarray:
    """Return the transit time in whole days from each seller country to each buyer country
    (the rule of :func:`transit_days`, for links that need not exist).

    Parameters
    ----------
    seller, buyer
        ISO codes, one pair per shipment.
    transit
        The transit table.

    Returns
    -------
    numpy.ndarray
        One integer >= 1 per pair (30 where no row matches).
    """
    route = transit_routes(seller, buyer, transit)
    days = np.append(transit["days"].to_numpy(np.float64), 0.0)[route]  # -1: none, 0.0
    return np.maximum(np.ceil(np.where(days > 0, days, 30.0)), 1).astype(np.int64)


def transit_routes(seller: np.ndarray, buyer: np.ndarray, transit: pd.DataFrame) -> np.ndarray:
    """Return the route of each shipment: the first row of the transit table whose origin and
    destination lists hold the seller's and buyer's countries (the rule of
    :func:`transit_days`).

    Parameters
    ----------
    seller, buyer
        ISO codes, one pair per shipment.
    transit
        The transit table.

    Returns
    -------
    numpy.ndarray
        One row position per pair (-1 where no row matches).
    """
    route = np.full(len(seller), -1, dtype=np.int64)
    for position, row in enumerate(transit.itertuples(index=False)):
        origins, destinations = schema.split_list(row.origin), schema.split_list(row.destination)
        ok = (route < 0) & (np.isin(seller, origins) | ("*" in origins))
        if destinations == ["same"]:
            ok &= seller == buyer
        elif "*" not in destinations:
            ok &= np.isin(buyer, destinations)
        route[ok] = position
    return route


def _segments(
    graph: SupplyGraph, scenario: Scenario, approvals: pd.DataFrame, dates: list[dt.date]
) -> tuple[list[tuple[dt.date, Scenario]], list[tuple[dt.date, str]]]:
    """Split the horizon where anything changes; return each stretch's first day with the
    scenario as it stands then (its date, and each path's share), and the changes named."""
    regimes = regimes_by_id(graph.regimes)
    changes: list[tuple[dt.date, str]] = []
    named = {policy.regime for policy in scenario.licences}
    for regime in regimes.values():
        if regime.hypothetical or not ({"in-force", regime.id} & named):
            continue  # only the regimes the scenario applies change its days
        # name each date by the state it starts (a regime may be suspended from day one)
        turns = [regime.effective]
        if not scenario.ignore_suspensions:
            turns += [regime.suspended_from, regime.suspended_until]
        turns.append(regime.ends)
        for day in turns:
            if day is None or day < regime.effective:
                continue
            ended = day == regime.ends
            if day in (regime.suspended_until, regime.ends):  # the new state starts a day later
                day = _later(day, 1)
            if regime.ends and day > regime.ends and not ended:
                continue  # a suspension after the end changes nothing
            in_force, _ = regime_state(regime, day, ignore_suspensions=scenario.ignore_suspensions)
            if ended:
                what = "ended"
            elif day == regime.effective:
                what = "in force" if in_force else "takes effect, suspended"
            else:
                what = "back" if in_force else "suspended"
            if (day, f"{regime.id} {what}") not in changes:
                changes.append((day, f"{regime.id} {what}"))
    known = set(approvals["path"])
    for policy in scenario.licences:
        if policy.approvals and policy.approvals not in known:
            where = policy.origin or f"scenario {scenario.name!r}: licences"
            raise ScenarioError(
                f"{where}.approvals: no path {policy.approvals!r} in approvals.csv; "
                f"known: {', '.join(sorted(known))}"
            )
        rows = approvals[approvals["path"] == policy.approvals]
        for text in rows["from"]:
            day = dt.date.fromisoformat(text)
            changes.append((day, f"approvals {policy.approvals}: {text}"))
        if policy.approval_delay_days:
            for day, what in list(changes):
                if what.endswith(("in force", "back")):
                    after = _later(day, policy.approval_delay_days)
                    changes.append((after, f"first approvals after {what}"))
    # dated rules: named on their first day and the day after their last; the stretches also
    # break on each day of a recovery, which moves the share every day
    steps: set[dt.date] = set()
    for rule in scenario.rules:
        steps.update(rule.changes())
        if rule.start is not None:
            changes.append((rule.start, f"rule {rule.select.text} from"))
        if rule.end is not None and rule.end < dt.date.max:
            over = "recovering" if rule.recovery else "over"
            changes.append((_later(rule.end, 1), f"rule {rule.select.text} {over}"))
    first, last = dates[0], dates[-1]
    turns = {d for d, _ in changes} | steps
    days = sorted({first} | {d for d in turns if first < d <= last})
    segments = [(day, _dated(scenario, approvals, regimes, day)) for day in days]
    return segments, sorted((d, w) for d, w in changes if first <= d <= last)


def _dated(scenario: Scenario, approvals: pd.DataFrame, regimes: dict, day: dt.date) -> Scenario:
    """The scenario as it stands on one day: its date, and each policy's licensed share."""
    policies: list[LicencePolicy] = []
    for policy in scenario.licences:
        if not policy.approvals and not policy.approval_delay_days:
            policies.append(policy)
            continue
        rows = approvals[approvals["path"] == policy.approvals] if policy.approvals else None
        shares = _path_shares(rows, day) if rows is not None else {None: policy.share}
        named = {d for d in shares if d is not None}
        for destination, share in shares.items():
            if _in_delay(policy, regimes, day):
                share = 0.0
            # a destination's own rows set its share; the rest take the path's general rows
            places = {destination} if destination else schema.ISO_COUNTRIES - named
            if policy.destinations is not None:
                places &= set(policy.destinations)
            destinations = None if places == schema.ISO_COUNTRIES else tuple(sorted(places))
            policies.append(
                replace(
                    policy,
                    action="throttle" if share > 0 else "cut",
                    share=share,
                    destinations=destinations,
                    approvals="",
                    approval_delay_days=0,
                )
            )
    return replace(scenario, as_of=day, licences=tuple(policies))


def _path_shares(rows: pd.DataFrame, day: dt.date) -> dict[str | None, float]:
    """Each destination's share on a day (None: all others); 1 before the path starts."""
    shares: dict[str | None, float] = {}
    for destination, group in rows.groupby(rows["destination"].fillna(""), sort=True):
        started = group[group["from"].map(dt.date.fromisoformat) <= day]
        share = float(started["share"].iloc[-1]) if len(started) else 1.0
        shares[destination or None] = share
    if None not in shares:
        shares[None] = 1.0
    return shares


def _in_delay(policy: LicencePolicy, regimes: dict, day: dt.date) -> bool:
    """Whether ``day`` falls within the approval delay after the policy's regime(s) bite."""
    if not policy.approval_delay_days:
        return False
    named = regimes.values() if policy.regime == "in-force" else [regimes.get(policy.regime)]
    for regime in named:
        if regime is None:
            continue
        since = regime.effective
        if regime.suspended_until and regime.suspended_until < day:
            since = max(since, _later(regime.suspended_until, 1))
        if since <= day < _later(since, policy.approval_delay_days):
            return True
    return False


def _line_capacity(
    graph: SupplyGraph,
    production: Production,
    capacity: pd.DataFrame | None,
    day: dt.date,
    assumed: np.ndarray,
) -> np.ndarray:
    """Per line, its node's capacity on a day over the node's baseline (NaN: unknown); a
    scenario's assumed spare (``assumed``, 1 + spare per node, NaN where none) replaces it,
    as it does for rerouting."""
    dated = graph if capacity is None else capacity_on(graph, capacity, day)
    capacity_t = dated.nodes["capacity_t"].to_numpy(float)
    base = graph.baseline_t
    ratio = np.divide(capacity_t, base, out=np.full(len(base), np.nan), where=base > 0)
    return np.where(np.isnan(assumed), ratio, assumed)[production.node]


class _DailyRecord:
    """Per line and day: output, stock cover left (days of the scarcest input's stock) and
    the input that limits it (when its output is below baseline for want of an input)."""

    def __init__(self, index: EngineIndex, n_days: int) -> None:
        self.groups = index.whole
        n_lines = index.n_nodes
        self.output = np.ones((n_days, n_lines))
        self.cover = np.full((n_days, n_lines), np.nan)
        self.limiting = np.full((n_days, n_lines), -1)
        first = self.groups.node_first
        self.customer_of_group = np.repeat(
            np.arange(len(first)), np.diff(np.append(first, len(index.group_base)))
        )

    def add(
        self,
        t: int,
        today: np.ndarray,
        total: np.ndarray,
        no_baseline: np.ndarray,
        stock: np.ndarray,
        need: np.ndarray,
    ) -> None:
        """Count day ``t``: its output ratios; per group, its deliveries and stock as a share
        of its baseline, whether it has none, its stock (t) and its daily need (t)."""
        self.output[t] = today
        groups = self.groups
        if not len(groups.nodes):
            return
        left = np.divide(stock, need, out=np.full_like(stock, np.inf), where=need > 0)
        cover = np.minimum.reduceat(left, groups.node_first)
        self.cover[t, groups.nodes] = np.where(np.isfinite(cover), cover, np.nan)
        # what the inputs allow, whatever was ordered: an input limits when it is short of 1
        group_avail = np.where((total > 1 - SNAP) | no_baseline, 1.0, total)
        node_avail = np.minimum.reduceat(group_avail, groups.node_first)
        n_groups = len(group_avail)
        first = np.where(
            group_avail <= node_avail[self.customer_of_group], np.arange(n_groups), n_groups
        )
        scarcest = np.minimum.reduceat(first, groups.node_first)
        self.limiting[t, groups.nodes] = np.where(node_avail < 1 - SNAP, scarcest, -1)

    def table(self, lines_graph: SupplyGraph, dates: list[dt.date]) -> pd.DataFrame:
        """The long table: one row per day and line, days first."""
        nodes = lines_graph.nodes
        index = lines_graph.index
        material = lines_graph.edges["material"].to_numpy(object)[
            index.whole.edges[index.whole.group_first]
        ]
        names = np.append(material, "").astype(object)  # -1: nothing limits
        n_days, n_lines = self.output.shape
        return pd.DataFrame(
            {
                "date": np.repeat([d.isoformat() for d in dates], n_lines),
                "node": np.tile(
                    (nodes["node"] if "node" in nodes else nodes["id"]).to_numpy(), n_days
                ),
                "line": np.tile(
                    nodes["line"].to_numpy() if "line" in nodes else np.full(n_lines, ""), n_days
                ),
                "output_pct": 100 * self.output.ravel(),
                "cover_days": self.cover.ravel(),
                "limiting_input": names[self.limiting.ravel()],
            }
        )


class _LineRecord:
    """Per line, what the days so far add up to: first loss and recovery, the lowest
    output, and the sum of what was lost (shares of a day's baseline)."""

    def __init__(self, n_lines: int) -> None:
        self.first_loss = np.full(n_lines, -1)
        self.recovery = np.full(n_lines, -1)
        self.lowest = np.ones(n_lines)
        self.lost = np.zeros(n_lines)

    def add(self, t: int, today: np.ndarray) -> None:
        """Count day ``t``, whose output ratios are ``today``."""
        below = today < LOSS
        # back at or above LOSS on a day after the first loss (earlier days: first_loss < t)
        self.recovery[(self.first_loss >= 0) & ~below & (self.recovery < 0)] = t
        self.first_loss[below & (self.first_loss < 0)] = t
        np.minimum(self.lowest, today, out=self.lowest)
        self.lost += np.maximum(1 - today, 0.0)  # output above baseline (restocking) is no loss

    def table(
        self, lines_graph: SupplyGraph, dates: list[dt.date], stock: np.ndarray, need: np.ndarray
    ) -> pd.DataFrame:
        """Per line: first loss and recovery dates, the lowest output, lost tonnes and units,
        and the stock cover left at the end."""
        nodes = lines_graph.nodes
        base = lines_graph.baseline_t
        units = nodes["baseline_units"].to_numpy(float) if "baseline_units" in nodes else np.nan
        lost_share = self.lost / DAYS_PER_YEAR
        cover = np.full(lines_graph.n_nodes, np.inf)
        left = np.divide(stock, need, out=np.full_like(stock, np.inf), where=need > 0)
        np.minimum.at(cover, lines_graph.index.group_node, left)

        def day(i: np.ndarray) -> list[str]:
            return [dates[k].isoformat() if k >= 0 else "" for k in i]

        layer = {"layer": nodes["layer"].to_numpy()} if "layer" in nodes else {}  # overlays
        return pd.DataFrame(
            {
                "node": (nodes["node"] if "node" in nodes else nodes["id"]).to_numpy(),
                "line": nodes["line"].to_numpy() if "line" in nodes else "",
                "stage": nodes["stage"].to_numpy(),
                "country": nodes["country"].to_numpy(),
                "sector": nodes["sector"].to_numpy(),
                **layer,
                "first_loss": day(self.first_loss),
                "recovery": day(self.recovery),
                "min_output_pct": 100 * self.lowest,
                "lost_t": base * lost_share,
                "lost_units": units * lost_share,
                "cover_left_days": np.where(np.isfinite(cover), cover, np.nan),
            }
        )


class _DrawAccount:
    """Per draw, what the days so far add up to: each line's first loss and recovery, and
    each maker line's units and tonnes lost month by month."""

    def __init__(
        self, lines_graph: SupplyGraph, dates: list[dt.date], n_rows: int, row_flow: np.ndarray
    ) -> None:
        n_lines = lines_graph.n_nodes
        self.first_loss = np.full((n_rows, n_lines), -1)
        self.recovery = np.full((n_rows, n_lines), -1)
        self.makers = Sectors.of(lines_graph.nodes).makers
        month_of = [d.isoformat()[:7] for d in dates]
        self.months = sorted(set(month_of))
        self.month_of_day = np.searchsorted(self.months, month_of)
        nodes = lines_graph.nodes
        units = nodes["baseline_units"].to_numpy(float) if "baseline_units" in nodes else None
        units = np.zeros(n_lines) if units is None else np.nan_to_num(units)
        self.units = units[self.makers] / DAYS_PER_YEAR
        dst = lines_graph.index.dst
        intake = np.zeros((n_rows, n_lines))  # a maker's baseline: its drawn intake, t a day
        for r in range(n_rows):
            intake[r] = np.bincount(dst, row_flow[r], minlength=n_lines)
        self.intake = intake[:, self.makers]
        shape = (len(self.months), n_rows, len(self.makers))
        self.lost_units = np.zeros(shape)
        self.lost_t = np.zeros(shape)

    def add(self, t: int, today: np.ndarray) -> None:
        """Count day ``t``, whose output ratios are ``today`` (draws x lines)."""
        below = today < LOSS
        self.recovery[(self.first_loss >= 0) & ~below & (self.recovery < 0)] = t
        self.first_loss[below & (self.first_loss < 0)] = t
        short = 1 - today[:, self.makers]
        month = self.month_of_day[t]
        self.lost_units[month] += short * self.units
        self.lost_t[month] += short * self.intake

    def record(self, exports: dict[str, np.ndarray]) -> DrawRecord:
        """The run's record."""
        return DrawRecord(
            self.first_loss,
            self.recovery,
            self.months,
            self.makers,
            self.lost_units,
            self.lost_t,
            exports,
        )


class _SectorRecord:
    """Date x sector: output as a share of baseline (tonnes and units), inside and outside
    the issuing country, and what is lost that day, filled in day by day."""

    SHARES = ("output_pct", "output_units_pct", "in_issuer_output_pct", "outside_issuer_output_pct")
    LOSSES = ("lost_t", "lost_units")

    def __init__(self, sectors: Sectors, baseline_t: np.ndarray, issuer: str, n_days: int) -> None:
        self.sectors = sectors
        base = baseline_t[sectors.makers] / DAYS_PER_YEAR  # per maker line, sector by sector
        units = sectors.units / DAYS_PER_YEAR
        inside = sectors.country == issuer
        where = np.stack([np.ones_like(inside), sectors.counted, inside, ~inside])
        # one row per share: its weights per maker line (0 where a line does not count), its
        # baseline per sector, and what a day shows without a baseline (100%) or makers (NaN)
        self.weights = np.where(where, np.stack([base, units, base, base]), 0.0)
        self.whole = sectors.reduce(self.weights)
        has_makers = np.stack([sectors.any(w) for w in where])
        self.shown = has_makers & (self.whole > 0)
        self.fallback = np.where(has_makers, 100.0, np.nan)  # nothing to lose: 100%
        self.losses = np.stack([base, units])
        self.has_units = sectors.any(sectors.counted)
        self.shares = np.zeros((n_days, len(self.SHARES), len(sectors.names)))
        self.lost = np.zeros((n_days, len(self.LOSSES), len(sectors.names)))

    def add(self, t: int, today: np.ndarray) -> None:
        """Count day ``t``, whose output ratios are ``today``."""
        ratio = today[self.sectors.makers]
        pct = share_pct(self.sectors.reduce(ratio * self.weights), self.whole)
        self.shares[t] = np.where(self.shown, pct, self.fallback)
        self.lost[t] = self.sectors.reduce((1 - ratio) * self.losses)
        self.lost[t, 1] = np.where(self.has_units, self.lost[t, 1], np.nan)

    def table(self, dates: list[dt.date]) -> pd.DataFrame:
        """The table, sector by sector, each over the whole horizon."""
        names = self.sectors.names
        if not names:  # a graph without makers has no sector table
            return pd.DataFrame()
        columns = {name: self.shares[:, k] for k, name in enumerate(self.SHARES)}
        columns.update({name: self.lost[:, k] for k, name in enumerate(self.LOSSES)})
        order = ["output_pct", "output_units_pct", "lost_t", "lost_units"]
        order += ["in_issuer_output_pct", "outside_issuer_output_pct"]
        return pd.DataFrame(
            {
                "date": np.tile([d.isoformat() for d in dates], len(names)),
                "sector": np.repeat(np.array(names, dtype=object), len(dates)),
                **{name: columns[name].T.ravel() for name in order},
            }
        )


def capacity_on(graph: SupplyGraph, capacity: pd.DataFrame, day: dt.date) -> SupplyGraph:
    """Return a copy of the graph with each node's capacity as it stands on a day.

    A node listed in the capacity table has no capacity above its baseline before its first
    ``from`` date, then the capacity of its latest row on or before the day.

    Parameters
    ----------
    graph
        The supply graph (not modified).
    capacity
        Capacity by date (``capacity.csv``).
    day
        The day.

    Returns
    -------
    SupplyGraph
    """
    nodes = graph.nodes.copy()
    on = pd.Series(nodes["capacity_t"].to_numpy(float), index=nodes["id"])
    for node, rows in capacity.groupby("node", sort=False):
        if node not in on.index:
            continue
        started = rows[rows["from"].map(dt.date.fromisoformat) <= day]
        on[node] = float(started["capacity_t"].iloc[-1]) if len(started) else np.nan
    nodes["capacity_t"] = on.to_numpy()
    return replace(graph, nodes=nodes)


def _best_case(
    graph: SupplyGraph,
    segments: list[tuple[dt.date, Scenario]],
    capacity: pd.DataFrame,
    dates: list[dt.date],
    sectors: pd.DataFrame,
) -> np.ndarray:
    """Per row of the sector table, its output plus the rerouting gain of its month.

    Months in the same stretch with the same capacity rows started share one solve: the
    stretches break wherever the scenario changes (a regime's state, an approval share, a
    dated rule), so the day inside a stretch changes nothing the run reads."""
    starts = [d for d, _ in segments]
    best: dict[tuple[str, str], float] = {}
    solved: dict[tuple[int, int], dict[str, float]] = {}
    started = capacity["from"].map(dt.date.fromisoformat).to_numpy()  # sorted by the caller
    months = sorted({d.replace(day=1) for d in dates} | {dates[0]})
    for month in (m for m in months if m >= dates[0]):
        stretch = max(0, int(np.searchsorted(starts, month, side="right")) - 1)
        key = (stretch, int((started <= month).sum()))
        if key not in solved:
            dated = replace(segments[stretch][1], as_of=month)
            result = simulate(capacity_on(graph, capacity, month), dated)
            solved[key] = {  # points of baseline tonnes
                row.sector: row.shortfall_pct - row.shortfall_reroute_pct
                for row in result.sectors.itertuples(index=False)
            }
        for sector, gain in solved[key].items():
            best[(month.isoformat()[:7], sector)] = gain
    keys = zip(sectors["date"].str[:7], sectors["sector"])
    gains = np.array([best.get(key, 0.0) for key in keys])
    return np.minimum(sectors["output_pct"].to_numpy() + gains, 100.0)
