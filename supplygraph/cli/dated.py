"""Commands on the calendar: timeline, backtest."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from ._base import (
    CONTEXT_SETTINGS,
    IsoDate,
    band_text,
    build_scenario,
    cli,
    data_option,
    echo_reports,
    errors_handled,
    given_flags,
    load_graph,
    out_option,
    print_folder_note,
    progress,
    report_folder,
    scenario_option,
)
from .risk import cluster_options

MAX_SHIFT_DAYS = 3650  # the bound on stock_days: a larger shift is a typo
BACKTEST_DRAWS = 300  # draws of the backtest's bands by default (docs/backtest.md)


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
    "--draws",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also run N draws of every range, queue place and plant split (plants.csv) and "
    "write their bands (timeline-bands.csv, timeline-stoppages.csv, timeline-plants.csv).",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed.")
@cluster_options
@click.option("--quiet", "-q", is_flag=True, help="No progress and no table; only errors.")
@click.pass_context
def timeline(
    ctx: click.Context,
    scenario_name: str,
    start: Any,
    end: Any,
    data_dir: Path | None,
    out_dir: Path | None,
    applicant: str | None,
    draws: int,
    seed: int,
    scheduler: str | None,
    workers: int | None,
    quiet: bool,
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

    \b
    Example:
        supplygraph timeline -s 2025-replay
        supplygraph timeline -s 2025-replay --from 2025-04-01 --to 2025-09-30
        supplygraph timeline -s 2025-replay --applicant last
        supplygraph timeline -s 2025-replay --draws 1000 --seed 0
    """
    with errors_handled(ctx):
        from ..analyses.exposure import simulate as simulate_static
        from ..analyses.timeline import KEEP_DAYS_MAX_EDGES, run_days, simulate_days
        from ..dataset.graph import require_makers
        from ..dataset.io import load_dated_tables
        from ..outputs.dated_report import render_timeline
        from ..outputs.files import write_file_set
        from ..scenario.parse import check_applicant

        quantile = None if applicant is None else check_applicant(applicant, "--applicant")
        scenario = build_scenario(scenario_name, data_dir)
        start, end = run_days(scenario, start, end, names=("--from", "--to"))
        graph = load_graph(data_dir)
        require_makers(graph)
        tables = load_dated_tables(data_dir, nodes=graph.nodes)
        runs = 1 if quantile is None and scenario.applicant is None else 2
        with progress(quiet, 13 * runs) as step:
            run = simulate_days(
                graph,
                scenario,
                tables.approvals,
                tables.transit,
                start=start,
                end=end,
                progress=lambda days: step(f"day {days}"),
                capacity=tables.capacity,
                applicant=quantile,
            )
        steady = simulate_static(graph, scenario, reroute=False)  # the page's graph
        files = render_timeline(run, page_result=steady)
        bands = None
        if draws:
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
                start=start,
                end=end,
                scheduler=scheduler,
                workers=workers,
            )
            files.update(render_bands(bands))
        name = f"{scenario.name}-timeline"
        given = given_flags(ctx, ["start", "end", "applicant", "draws", "seed"])
        out = report_folder(out_dir, name, given, graph)
        paths = write_file_set(out, files)
        if not quiet:
            _print_timeline(run)
            if bands is not None:
                _print_bands(bands)
            echo_reports(out, paths)
            print_folder_note(name, given, out_dir)
            if run.ratio is None:
                click.echo(
                    f"(no timeline.gexf, and no date slider on the page: above "
                    f"{KEEP_DAYS_MAX_EDGES:,} edges a run keeps no node's day-by-day output)"
                )


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
    click.echo(f"\nBands over {bands.n_draws:,} draws (P50 (P10-P90)), seed {bands.seed}:")
    click.echo(f"  {'sector':<22} {'units lost, whole run':>26}  first stoppage (P10 / P50 / P90)")
    months = bands.months[bands.months["country"] == ""]
    last = months[months["month"] == months["month"].max()].set_index("sector")
    stops = bands.stoppages[bands.stoppages["country"] == ""].set_index("sector")
    for sector in stops.index:
        row = last.loc[sector]
        lost = band_text(
            row["cumulative_units_lost_p50"],
            row["cumulative_units_lost_p10"],
            row["cumulative_units_lost_p90"],
            digits=0,
        )
        stop = stops.loc[sector]
        when = " / ".join(stop[f"first_stop_p{q}"] or "never" for q in (10, 50, 90))
        click.echo(f"  {sector:<22} {lost:>26}  {when}")


def _print_timeline(run: Any) -> None:
    """Print each sector's lowest output and when, and the first losses by sector (and the
    applicant's beside them)."""
    click.echo(f"{run.scenario.name}: {run.dates[0]} to {run.dates[-1]}")
    for day, what in run.change_dates:
        click.echo(f"  {day}  {what}")
    runs = [("", "mean")]
    if run.applicant is not None:
        runs.append(("applicant_", f"applicant {run.applicant.quantile:g}"))
    heads = "".join(f" {'lowest %':>9} {'on':>11} {'first loss':>11}" for _ in runs)
    click.echo(f"\n  {'':<22}" + "".join(f" {name:^33}" for _, name in runs))
    click.echo(f"  {'sector':<22}{heads}")
    lines = run.lines[run.lines["stage"] == "manufacturer"]
    for name, group in run.sectors.groupby("sector", sort=True):
        cells = ""
        for prefix, _ in runs:
            lowest = group.loc[group[f"{prefix}output_pct"].idxmin()]
            pct = lowest[f"{prefix}output_pct"]
            on = lowest["date"] if pct < 100 - 1e-9 else "-"  # never short: no day to name
            losses = sorted(
                d for d in lines.loc[lines["sector"] == name, f"{prefix}first_loss"] if d
            )
            cells += f" {pct:>9.1f} {on:>11} {losses[0] if losses else '-':>11}"
        click.echo(f"  {name:<22}{cells}")


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
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed.")
@cluster_options
@data_option
@out_option(
    "Report folder [default: output/backtest, with a fingerprint of the flags --scenario, "
    "--stock-shift, --draws and --seed when given]."
)
@click.pass_context
def backtest(
    ctx: click.Context,
    scenario_name: str,
    stock_shift: int,
    draws: int,
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
            scheduler=scheduler,
            workers=workers,
        )
        given = given_flags(ctx, ["scenario_name", "stock_shift", "draws", "seed"])
        out = report_folder(out_dir, "backtest", given, graph)
        paths = write_file_set(out, render_backtest(result))
        click.echo("Series (share of baseline, modelled against observed):")
        for row in result.series.to_dict("records"):
            mark = "pass" if row["pass"] else "MISS"
            click.echo(
                f"  {row['series']:<24} {row['month']}  observed {row['observed_share']:5.2f}"
                f"  modelled {row['modelled_share']:5.2f}  {mark}"
            )
        click.echo(
            "Events (first day a line's output is below 99% of baseline), for the mean "
            "applicant and the last:"
        )
        click.echo(
            f"  {'event':<42} {'observed':<10}  {'mean':<15}  {'last applicant':<15}  window"
        )
        for row in result.events.to_dict("records"):
            cells = "  ".join(
                f"{row[f'{p}modelled']:<10} {'pass' if row[f'{p}pass'] else 'MISS'}"
                for p in ("", "last_applicant_")
            )
            click.echo(f"  {row['event']:<42} {row['observed']}  {cells}  {row['window']}")
        if result.summary is not None:
            _print_calibration(result)
        echo_reports(out, paths)


def _print_calibration(result: Any) -> None:
    """Each check's P10-P90 band, inside or not, and the coverage and median widths."""
    click.echo(
        f"\nCalibration over {result.bands.n_draws:,} draws (seed {result.bands.seed}): "
        "each check's P10-P90 band"
    )
    for row in result.series.to_dict("records"):
        band = band_text(row["band_p50"], row["band_p10"], row["band_p90"], 2, ends=2)
        mark = "inside" if row["inside"] else "OUTSIDE"
        click.echo(
            f"  {row['series']:<24} {row['month']}  observed {row['observed_share']:5.2f}"
            f"  band {band:<18} {mark}"
        )
    for row in result.events.to_dict("records"):
        mark = "inside" if row["inside"] else "OUTSIDE"
        band = f"{row['band_p10']} / {row['band_p50']} / {row['band_p90']}"
        click.echo(f"  {row['event']:<42} {row['observed']}  {band}  {mark}")
    for row in result.summary.to_dict("records"):
        width = (
            f", median width {row['median_width']:.2f} {row['width_unit']}"
            if row["width_unit"]
            else ""
        )
        click.echo(
            f"  {row['checks']}: {row['inside']} of {row['count']} inside "
            f"({row['coverage_pct']:.0f}%){width}"
        )
