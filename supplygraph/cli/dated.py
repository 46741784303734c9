"""Commands on the calendar: timeline, backtest."""

from __future__ import annotations

import re
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from ._base import (
    CONTEXT_SETTINGS,
    IsoDate,
    band_text,
    build_scenario,
    cli,
    count_text,
    data_option,
    echo_reports,
    echo_wrapped,
    errors_handled,
    given_flags,
    load_graph,
    out_option,
    print_folder_note,
    print_table,
    progress,
    report_folder,
    scenario_option,
    telling_digits,
)
from .risk import cluster_options

MAX_SHIFT_DAYS = 3650  # the bound on stock_days: a larger shift is a typo
BACKTEST_DRAWS = 300  # draws of the backtest's bands by default (docs/backtest.md)
# The draws' rule for which supplier a plant buys an input from (timeline and backtest)
plant_suppliers_option = click.option(
    "--plant-suppliers",
    type=click.Choice(["few", "equal"]),
    default="few",
    show_default=True,
    help="In the draws, each plant of an aggregate takes an input from as few of its "
    "suppliers as the tonnes allow (few, A43), or an equal part of every supplier (equal, "
    "the rule before: how the bands move with it).",
)


@cli.command(context_settings=CONTEXT_SETTINGS)
@scenario_option("A dated scenario (e.g. 2025-replay) or any scenario file.", required=True)
@click.option(
    "--from",
    "start",
    type=IsoDate(),
    default=None,
    help="First day [default: the scenario's start, else its as_of].",
)
@click.option(
    "--to",
    "end",
    type=IsoDate(),
    default=None,
    help="Last day [default: the scenario's end, else a year after the first]; at most "
    "3650 days after the first.",
)
@data_option
@out_option(
    "Report folder [default: output/<scenario-name>-timeline, with a fingerprint of the flags "
    "--from, --to and --applicant when given]."
)
@click.option(
    "--applicant",
    metavar="Q|last",
    default=None,
    help="Also run every licence edge as one applicant at place Q in the queue of "
    "applications (0 first, 1 or last: the last), beside the pro-rata mean "
    "[default: the scenario's applicant, else the mean only].",
)
@click.option(
    "--rebuild-rate",
    type=float,
    default=None,
    metavar="RATE",
    help="Buyers order their usual flow plus RATE x their stock gap a day (0 to 1; 1/60: "
    "BoARIO's 60-day restoration) [default: the scenario's [dynamics], else 0: off].",
)
@click.option(
    "--shift-orders/--no-shift-orders",
    default=None,
    help="Move orders a supplier cannot ship to the buyer's other suppliers of the material "
    "with spare capacity (capacity.csv) [default: the scenario's, else off].",
)
@click.option(
    "--new-links/--no-new-links",
    default=None,
    help="With --shift-orders, what existing suppliers cannot take goes to other sellers of "
    "the material where rerouting would allow a new link [default: the scenario's, else off].",
)
@click.option(
    "--ramp-up-days",
    type=float,
    default=None,
    metavar="DAYS",
    help="Days a supplier takes from its baseline to its capacity [default: the "
    "scenario's, else 30].",
)
@click.option(
    "--demand-follows-output/--no-demand-follows-output",
    default=None,
    help="A line short of one input orders its other inputs only for what it makes: "
    "upstream output falls (lost orders) [default: the scenario's, else off].",
)
@click.option(
    "--best-case",
    type=click.Choice(["lp", "orders"]),
    default="lp",
    show_default=True,
    help="Where best_output_pct comes from: the monthly rerouting LP, or the run in which "
    "buyers shift orders to suppliers with spare capacity (the LP then beside it as "
    "best_lp_output_pct, a check).",
)
@click.option(
    "--records",
    is_flag=True,
    help="Also write each product line's output, stock cover and limiting input on every "
    "day (timeline-records.parquet, or .csv without pyarrow).",
)
@click.option(
    "--draws",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also run N draws of every range, queue place and plant split (plants.csv) and "
    "write their bands (timeline-bands.csv, timeline-stoppages.csv, timeline-plants.csv).",
)
@plant_suppliers_option
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed.")
@cluster_options
@click.option("--quiet", "-q", is_flag=True, help="No progress and no table; only errors.")
@click.option(
    "--focus",
    metavar="overlay|ID,...",
    default=None,
    help="Run only what reaches your own part (the overlay's nodes, or these node ids) "
    "and show its lines.",
)
@click.pass_context
def timeline(
    ctx: click.Context,
    scenario_name: str,
    start: Any,
    end: Any,
    data_dir: Path | None,
    out_dir: Path | None,
    applicant: str | None,
    rebuild_rate: float | None,
    shift_orders: bool | None,
    new_links: bool | None,
    ramp_up_days: float | None,
    demand_follows_output: bool | None,
    best_case: str,
    records: bool,
    draws: int,
    plant_suppliers: str,
    seed: int,
    scheduler: str | None,
    workers: int | None,
    quiet: bool,
    focus: str | None,
) -> None:
    """Run a scenario day by day: who runs short, when, and when they recover.

    Regimes switch on and off on their dates, licences follow the scenario's approval
    paths, shipments take their transit time and stocks are drawn down. The licensed
    share spreads pro rata over every licence edge (the mean applicant); with --applicant
    the run where every licence edge waits at that place in the queue sits beside it
    (columns applicant_...; --applicant last: the worst-placed plant). Writes
    timeline.csv (date x sector), timeline-lines.csv (first loss and recovery per product
    line), timeline.json, a chart (timeline.png, timeline.svg), timeline.gexf (each
    node's output over time, for Gephi's timeline) and timeline.html (the graph with a
    date slider that colours the nodes by each week's shortfall, and the chart).
    With --rebuild-rate, --shift-orders or --demand-follows-output (or a [dynamics]
    table) buyers restock, shift orders and follow their output (docs/model.md);
    --records writes every line's day (timeline-records.parquet or .csv).

    \b
    Example:
        supplygraph timeline -s 2025-replay
        supplygraph timeline -s 2025-replay --from 2025-04-01 --to 2025-09-30
        supplygraph timeline -s 2025-replay --applicant last
        supplygraph timeline -s 2025-replay --rebuild-rate 0.0167 --shift-orders \\
            --records
        supplygraph timeline -s 2025-replay --draws 1000 --seed 0
    """
    with errors_handled(ctx), ExitStack() as stack:
        from ..outputs.charts import chart_drawer

        # matplotlib imported in a second process while this one starts, and the chart
        # drawn there (docs/performance.md)
        drawer = stack.enter_context(chart_drawer())
        from ..analyses.exposure import simulate as simulate_static
        from ..analyses.timeline import KEEP_DAYS_MAX_EDGES, run_days, simulate_days
        from ..dataset.graph import require_makers
        from ..dataset.io import load_dated_tables
        from ..outputs.dated_report import render_timeline
        from ..outputs.files import write_file_set
        from ..scenario.parse import check_applicant, check_dynamics

        quantile = None if applicant is None else check_applicant(applicant, "--applicant")
        scenario = build_scenario(scenario_name, data_dir)
        asked = {
            "rebuild_rate": rebuild_rate,
            "shift_orders": shift_orders,
            "new_links": new_links,
            "ramp_up_days": ramp_up_days,
            "demand_follows_output": demand_follows_output,
        }
        if any(value is not None for value in asked.values()):
            dynamics = asdict(scenario.dynamics)
            dynamics.update({key: value for key, value in asked.items() if value is not None})
            scenario = scenario.with_changes(dynamics=check_dynamics(dynamics, "options"))
        start, end = run_days(scenario, start, end, names=("--from", "--to"))
        graph = load_graph(data_dir)
        require_makers(graph)
        tables = load_dated_tables(data_dir, nodes=graph.nodes)
        if focus is not None:  # exact for the focus: nothing downstream changes what it gets
            from ..analyses.focus import focus_mask, upstream_of
            from ..dataset.graph import subgraph

            graph = subgraph(graph, upstream_of(graph, focus_mask(graph, focus)))

        borrowed = [
            name
            for name in ("approvals.csv", "transit.csv", "capacity.csv")
            if data_dir is not None and not (data_dir / name).is_file()
        ]
        if borrowed and not quiet:  # said, not silent: the bundled rows name bundled routes
            echo_wrapped(
                f"note: {data_dir} has no {', '.join(borrowed)}: the bundled one"
                f"{'s are' if len(borrowed) > 1 else ' is'} used (README, Data format)",
                err=True,
            )
        runs = 1 if quantile is None and scenario.applicant is None else 2
        runs += best_case == "orders" and not scenario.dynamics.shift_orders
        n_days = (end - start).days + 1

        def day_of(done: int) -> str:  # every run's days are counted: name the run's own
            run_no, day = divmod(done - 1, n_days)
            return f"day {day + 1} of {n_days}" + (
                f" (run {run_no + 1} of {runs})" if runs > 1 else ""
            )

        bands_job = None
        band_args = (graph, scenario, tables, data_dir, draws, seed, start, end, plant_suppliers)
        if draws and scheduler is None and workers is None:
            # the draws in a second process while this one runs the mean run and writes
            # its reports (docs/performance.md); the same bytes, the same errors
            from ..outputs.fork import Forked

            bands_job = stack.enter_context(Forked(_bands, *band_args))
        with progress(quiet, runs * (n_days // 30)) as step:
            run = simulate_days(
                graph,
                scenario,
                tables.approvals,
                tables.transit,
                start=start,
                end=end,
                progress=lambda days: step(day_of(days)),
                capacity=tables.capacity,
                applicant=quantile,
                records=records,
                best_case=best_case,
            )
        steady = simulate_static(graph, scenario, reroute=False)  # the page's graph
        files = render_timeline(run, page_result=steady, drawer=drawer)
        bands = None
        if bands_job is not None:
            bands, band_files = bands_job.result(lambda: _bands(*band_args))
            files.update(band_files)
        elif draws:
            bands, band_files = _bands(*band_args, scheduler, workers)
            files.update(band_files)
        name = f"{scenario.name}-timeline"
        given = given_flags(
            ctx,
            [
                "start",
                "end",
                "applicant",
                *asked,
                "best_case",
                "records",
                "focus",
                "draws",
                "plant_suppliers",
                "seed",
            ],
        )
        out = report_folder(out_dir, name, given, graph)
        paths = write_file_set(out, files)
        if not quiet:
            _print_timeline(run, focus)
            if bands is not None:
                _print_bands(bands)
            echo_reports(out, paths)
            print_folder_note(name, given, out_dir)
            if run.ratio is None:
                click.echo(
                    f"(no timeline.gexf, and no date slider on the page: above "
                    f"{KEEP_DAYS_MAX_EDGES:,} edges a run keeps no node's day-by-day output)"
                )


def _bands(
    graph: Any,
    scenario: Any,
    tables: Any,
    data_dir: Path | None,
    draws: int,
    seed: int,
    start: Any,
    end: Any,
    plant_suppliers: str = "few",
    scheduler: str | None = None,
    workers: int | None = None,
) -> tuple[Any, dict[str, Any]]:
    """The dated run's draws (``--draws``) and their report files."""
    from ..analyses.bands import simulate_bands
    from ..dataset.io import load_plants
    from ..outputs.dated_report import render_bands

    bands = simulate_bands(
        graph,
        scenario,
        tables.approvals,
        tables.transit,
        draws=draws,
        seed=seed,
        plants=load_plants(data_dir, nodes=graph.nodes),
        destination_rho=read_destination_rho(data_dir),
        sole_sourcing=plant_suppliers == "few",
        start=start,
        end=end,
        scheduler=scheduler,
        workers=workers,
    )
    return bands, render_bands(bands)


def read_destination_rho(data_dir: Path | None) -> float:
    """The queue's destination ``rho`` (A39) from the folder's ``destination_months.csv``.

    Read to two decimals, the precision the bundled table's dozen months support (0.23,
    ``DESTINATION_RHO``); a folder without the table takes the bundled one's.

    Parameters
    ----------
    data_dir
        The dataset folder; the bundled data when None.

    Returns
    -------
    float
        ``rho``, 0 when no month of the table has two destinations.
    """
    from ..analyses.bands import destination_rho
    from ..dataset.io import load_destination_months

    return round(destination_rho(load_destination_months(data_dir)), 2)


class WholeDays(click.ParamType):
    """Whole days, written in ASCII digits (``-7``, ``14``; not ``1_0``), from -3650 to 3650."""

    name = "days"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        text = str(value).strip()
        if not re.fullmatch(r"-?[0-9]+", text) or abs(int(text)) > MAX_SHIFT_DAYS:
            self.fail(
                f"expected whole days from -{MAX_SHIFT_DAYS} to {MAX_SHIFT_DAYS} (ten years "
                f"of stock either way), got {value!r}",
                param,
                ctx,
            )
        return int(text)


def _print_bands(bands: Any) -> None:
    """Per sector: vehicles (units) lost over the run and the first-stoppage band."""
    from ..dataset.schema import sector_label

    click.echo(f"\nBands over {bands.n_draws:,} draws (P50 (P10-P90)), seed {bands.seed}:")
    months = bands.months[bands.months["country"] == ""]
    last = months[months["month"] == months["month"].max()].set_index("sector")
    stops = bands.stoppages[bands.stoppages["country"] == ""].set_index("sector")
    rows = [("sector", "units lost, whole run", "first stoppage P10 / P50 / P90")]
    for sector in stops.index:
        row = last.loc[sector]
        p10, p50, p90 = (count_text(row[f"cumulative_units_lost_p{q}"]) for q in (10, 50, 90))
        lost = f"{p50} ({p10}-{p90})"
        stop = stops.loc[sector]
        when = " / ".join(stop[f"first_stop_p{q}"] or "never" for q in (10, 50, 90))
        rows.append((sector_label(sector), lost, when))
    print_table(rows, "lrl")


def _print_timeline(run: Any, focus: str | None = None) -> None:
    """Print each sector's lowest output and when, and the first losses by sector (and the
    applicant's beside them); with a focus, its lines' instead."""
    from ..dataset.schema import sector_label

    click.echo(f"{run.scenario.name}: {run.dates[0]} to {run.dates[-1]}")
    for day, what in dict.fromkeys(run.change_dates):  # two policies may share a path
        echo_wrapped(f"{day}  {what}", first="  ", rest="    ")
    if focus is not None:
        from ..analyses.focus import focus_mask

        mine = run.lines["node"].isin(run.graph.nodes["id"][focus_mask(run.graph, focus)])
        rows = [("node / line", "lowest %", "first loss", "recovery", "lost t")]
        for row in run.lines[mine].to_dict("records"):
            rows.append(
                (
                    row["node"] + (f" / {row['line']}" if row["line"] else ""),
                    f"{row['min_output_pct']:.1f}",
                    row["first_loss"] or "-",
                    row["recovery"] or "-",
                    f"{row['lost_t']:,.1f}",
                )
            )
        click.echo(
            f"\n(the run is restricted to the {run.graph.n_nodes} nodes that reach the focus)"
        )
        print_table(rows, "lrrrr")
        return
    runs = [(False, "")]
    if run.applicant is not None:
        quantile = run.applicant.quantile
        name = "the last applicant" if quantile == 1 else f"an applicant at {quantile:g}"
        runs = [(False, "The mean (licences spread pro rata):"), (True, f"For {name}:")]
    for which, title in runs:
        click.echo(f"\n{title}" if title else "")
        rows = [("sector", "lowest output %", "on", "first loss")]
        for row in (run.applicant if which else run).lowest().itertuples(index=False):
            cells = (f"{row.output_pct:.1f}", row.date or "-", row.first_loss or "-")
            rows.append((sector_label(row.sector), *cells))
        print_table(rows, "lrrr")
    echo_wrapped(
        "Key: lowest output %: the sector's lowest daily output, % of baseline; on: the "
        "first day at that level; first loss: the first day any of its makers makes less.",
        first="  ",
        rest="  ",
    )


@cli.command(context_settings=CONTEXT_SETTINGS)
@scenario_option("The dated scenario to replay.", default="2025-replay")
@click.option(
    "--stock-shift",
    "stock_shift",
    type=WholeDays(),
    default=0,
    metavar="DAYS",
    help="Add DAYS (negative: take them away) to every node's stock cover and the "
    "scenario's default, at least 0: how the result moves with the stocks "
    "(docs/backtest.md reports -7 and +7).",
)
@click.option(
    "--draws",
    type=click.IntRange(min=0),
    default=BACKTEST_DRAWS,
    show_default=True,
    help="Draws of every range, queue place and plant split: each check is judged by its "
    "P10-P90 band (0: the mean and last applicant only).",
)
@plant_suppliers_option
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed.")
@cluster_options
@data_option
@out_option(
    "Report folder [default: output/backtest, with a fingerprint of the flags --scenario, "
    "--stock-shift, --draws, --plant-suppliers and --seed when given]."
)
@click.pass_context
def backtest(
    ctx: click.Context,
    scenario_name: str,
    stock_shift: int,
    draws: int,
    plant_suppliers: str,
    seed: int,
    scheduler: str | None,
    workers: int | None,
    data_dir: Path | None,
    out_dir: Path | None,
) -> None:
    """Replay 2025 and set the model beside what was observed.

    Compares the monthly export series the approval path was not derived from, and the
    plant stoppages and restarts of May and June 2025 (data/observed.csv,
    data/events.csv), and writes backtest-series.csv and backtest-events.csv. Each
    stoppage is modelled twice: for the pro-rata mean (the typical plant) and for the last
    applicant (a plant whose licences come when every application is approved: the
    earliest to stop). The figures are reported whatever they are: no parameter is
    fitted to them (docs/backtest.md).

    \b
    Example:
        supplygraph backtest
        supplygraph backtest --stock-shift -7
    """
    with errors_handled(ctx):
        from ..analyses.backtest import run_backtest, shift_stocks
        from ..dataset.graph import require_makers
        from ..dataset.io import load_plants, load_run_tables
        from ..outputs.dated_report import render_backtest
        from ..outputs.files import write_file_set

        graph = load_graph(data_dir)
        require_makers(graph)
        graph, scenario = shift_stocks(graph, build_scenario(scenario_name, data_dir), stock_shift)
        tables, checks = load_run_tables(data_dir, nodes=graph.nodes, lines=graph.lines)
        result = run_backtest(
            graph,
            scenario,
            tables.approvals,
            tables.transit,
            checks.observed,
            checks.events,
            draws=draws,
            seed=seed,
            plants=load_plants(data_dir, nodes=graph.nodes) if draws else None,
            destination_rho=read_destination_rho(data_dir) if draws else 0.0,
            sole_sourcing=plant_suppliers == "few",
            scheduler=scheduler,
            workers=workers,
        )
        given = given_flags(
            ctx, ["scenario_name", "stock_shift", "draws", "plant_suppliers", "seed"]
        )
        out = report_folder(out_dir, "backtest", given, graph)
        paths = write_file_set(out, render_backtest(result))
        click.echo("Series (share of baseline, modelled against observed):")
        rows = [("series", "month", "observed", "modelled", "check")]
        for row in result.series.to_dict("records"):
            rows.append(
                (
                    row["series"],
                    str(row["month"]),
                    f"{row['observed_share']:.2f}",
                    f"{row['modelled_share']:.2f}",
                    "pass" if row["pass"] else "MISS",
                )
            )
        print_table(rows, "llrrl", whole=(0,))
        click.echo("")
        echo_wrapped(
            "Events (first day a line's output is below 99% of baseline), for the mean "
            "applicant and the last:"
        )
        rows = [("event", "observed", "mean", "last applicant", "window")]
        for row in result.events.to_dict("records"):
            cells = [row["event"], str(row["observed"])]
            for p in ("", "last_applicant_"):
                cells.append(f"{row[f'{p}modelled']} {'pass' if row[f'{p}pass'] else 'MISS'}")
            rows.append((*cells, str(row["window"])))
        print_table(rows, "lllll")
        if result.summary is not None:
            _print_calibration(result)
        echo_reports(out, paths)


def _print_calibration(result: Any) -> None:
    """Each check's P10-P90 band, inside or not, the coverage and median widths, and the
    series' mean interval score."""
    click.echo(
        f"\nCalibration over {result.bands.n_draws:,} draws (seed {result.bands.seed}): "
        "each check's P10-P90 band"
    )
    rows = [("series", "month", "observed", "band", "")]
    for row in result.series.to_dict("records"):
        seen, low, high = row["observed_share"], row["band_p10"], row["band_p90"]
        digits = telling_digits(seen, low, high)  # a check at a band's edge reads apart
        band = band_text(row["band_p50"], low, high, digits, ends=digits)
        mark = "inside" if row["inside"] else "OUTSIDE"
        rows.append((row["series"], row["month"], f"{seen:.{digits}f}", band, mark))
    print_table(rows, "llrll", whole=(0,))
    rows = [("event", "observed", "band P10 / P50 / P90", "")]
    for row in result.events.to_dict("records"):
        mark = "inside" if row["inside"] else "OUTSIDE"
        band = f"{row['band_p10']} / {row['band_p50']} / {row['band_p90']}"
        rows.append((row["event"], str(row["observed"]), band, mark))
    print_table(rows, "llll")
    for row in result.summary.to_dict("records"):
        width = (
            f", median width {row['median_width']:.2f} {row['width_unit']}"
            if row["width_unit"]
            else ""
        )
        score = row.get("mean_interval_score", float("nan"))
        if score == score:  # not NaN: the series' mean interval score
            width += f", mean interval score {score:.2f}"
        echo_wrapped(
            f"{row['checks']}: {row['inside']} of {row['count']} inside "
            f"({row['coverage_pct']:.0f}%){width}",
            first="  ",
            rest="    ",
        )
