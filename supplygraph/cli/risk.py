"""Commands on risk: criticality, montecarlo."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from ..dataset.schema import sector_label
from ._base import (
    CONTEXT_SETTINGS,
    PlainNumber,
    build_scenario,
    cli,
    data_option,
    echo_reports,
    echo_wrapped,
    errors_handled,
    given_flags,
    load_graph,
    number_text,
    out_option,
    print_folder_note,
    print_table,
    report_folder,
    scenario_option,
)

# A Dask scheduler's address: [tcp|tls|ucx|ws|wss://]HOST:PORT, HOST a name, IPv4 or [IPv6].
SCHEDULER_ADDRESS = re.compile(
    r"(?:(?:tcp|tls|ucx|ws|wss)://)?(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5})"
)


def _scheduler(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check a --scheduler address before any work (Dask's ValueError was exit 1)."""
    if value is None:
        return None
    found = SCHEDULER_ADDRESS.fullmatch(value.strip())
    if not found or not 0 < int(found.group(1)) < 65536:
        raise click.BadParameter(
            f"expected a Dask scheduler's address such as tcp://HOST:PORT (a port from 1 to "
            f"65535), got {value!r}",
            ctx,
            param,
        )
    return value.strip()


def cluster_options(function: Any) -> Any:
    options = [
        click.option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            default=None,
            callback=_scheduler,
            help="Run the chunks on this Dask scheduler (pip install 'supplygraph[dask]').",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=None,
            help="Run the chunks on a local Dask cluster of N worker processes.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@cli.command(context_settings=CONTEXT_SETTINGS)
@scenario_option("The situation the knock-outs happen in [default: nothing else restricted].")
@click.option(
    "--stock-days",
    type=PlainNumber(),
    default=None,
    help="Stock cover for nodes without a stock_days figure (default: the scenario's, or 0).",
)
@click.option(
    "--sector",
    default=None,
    help="Rank by this sector's shortfall, an id or a label (ev, 'Electric vehicles') "
    "[default: the mean over sectors].",
)
@click.option(
    "--reroute-top",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also solve the rerouting LP (best case) for the N highest-ranked knock-outs.",
)
@click.option(
    "--top", type=click.IntRange(min=0), default=15, show_default=True, help="Rows on the terminal."
)
@data_option
@out_option(
    "Report folder [default: output/criticality or output/<scenario>-criticality, "
    "with a fingerprint of the flags that change the run]."
)
@click.option(
    "--html/--no-html",
    default=True,
    show_default=True,
    help="Write criticality.html: nodes coloured by their n-1 loss.",
)
@click.option("--raw", is_flag=True, help="Do not neutralise spreadsheet formulas in text cells.")
@cluster_options
@click.option("--quiet", "-q", is_flag=True, help="No table; only errors.")
@click.option(
    "--focus",
    metavar="overlay|ID,...",
    default=None,
    help="Only what reaches your own part (the overlay's nodes, or these node ids), "
    "ranked by what it costs them.",
)
@click.pass_context
def criticality(
    ctx: click.Context,
    scenario_name: str | None,
    stock_days: float | None,
    sector: str | None,
    reroute_top: int,
    top: int,
    data_dir: Path | None,
    out_dir: Path | None,
    html: bool,
    raw: bool,
    scheduler: str | None,
    workers: int | None,
    quiet: bool,
    focus: str | None,
) -> None:
    """What could hurt most: take down each node, edge and (country, stage) pair in turn.

    Ranks every single knock-out by the shortfall it causes (worst case: no rerouting;
    --reroute-top adds the best case for the first N), with each sector's time to survive
    (days until its first maker falls short, stocks drawn down). Also writes the HHI per
    stage and element and the CRMA benchmark (no third country above 65% of EU
    consumption per stage and element). Writes criticality.csv, criticality-sectors.csv,
    hhi.csv, crma.csv, criticality.json and criticality.html.

    \b
    Example:
        supplygraph criticality
        supplygraph criticality --sector 'Electric vehicles' --reroute-top 10
        supplygraph criticality -s 2025-11-truce --stock-days 30 --workers 2
    """
    with errors_handled(ctx):
        from ..analyses.criticality import criticality as sweep
        from ..dataset.graph import require_makers
        from ..outputs.files import write_file_set
        from ..outputs.risk_report import render_criticality

        scenario = build_scenario(scenario_name, data_dir, stock_days=stock_days)
        graph = load_graph(data_dir)
        require_makers(graph)
        if focus is not None:
            from ..analyses.focus import focus_mask

        result = sweep(
            graph,
            scenario,
            reroute_top=reroute_top,
            sector=sector,
            scheduler=scheduler,
            workers=workers,
            focus=None if focus is None else focus_mask(graph, focus),
        )
        page_result = None
        if html:  # the page draws the scenario, its nodes coloured by their n-1 loss
            from ..analyses.exposure import simulate as run

            page_result = run(graph, scenario, reroute=False)
        files = render_criticality(result, graph, raw=raw, page_result=page_result)
        name = "criticality" if scenario_name is None else f"{scenario.name}-criticality"
        given = given_flags(ctx, ["stock_days", "sector", "reroute_top", "raw", "focus"])
        out = report_folder(out_dir, name, given, graph)
        paths = write_file_set(out, files)
        if not quiet:
            _print_criticality(result, top)
            echo_reports(out, paths)
            print_folder_note(name, given, out_dir)


def _print_criticality(result: Any, top: int) -> None:
    """Print the top knock-outs and the CRMA breaches."""
    items = result.items.head(top)
    rerouted = "shortfall_reroute_pct" in items
    echo_wrapped(
        f"n-1 sweep ({result.scenario.name}): {len(result.items)} knock-outs, "
        f"the {len(items)} that cost most:"
    )
    swept = result.items["kind"].value_counts()
    if any(swept.get(kind, 0) < n for kind, n in result.candidates.items()):
        echo_wrapped(
            f"(a large graph: the {swept.get('node', 0):,} of {result.candidates['node']:,} "
            f"nodes of largest throughput, the {swept.get('edge', 0):,} of "
            f"{result.candidates['edge']:,} links of largest flow, every country-stage; "
            "docs/risk.md)",
            first="  ",
            rest="  ",
        )
    rank_by = str(items["rank_by"].iloc[0]) if len(items) else "mean_sector_pct"
    ranked = "mean sector %" if rank_by == "mean_sector_pct" else f"{sector_label(rank_by)} %"
    header = ("rank", "kind", "knocked out", ranked, "% of t", "worst sector", "TTS days")
    rows = [header + (("% after rerouting",) if rerouted else ())]
    for row in items.to_dict("records"):
        cells = (
            str(row["rank"]),
            row["kind"],
            row["id"].replace("->", " -> "),  # an edge wraps between its ends
            f"{row['rank_pct']:.1f}",
            f"{row['shortfall_pct']:.1f}",
            f"{sector_label(row['worst_sector'])} {row['worst_sector_pct']:.0f}%"
            if row["worst_sector"]
            else "-",
            number_text(row["tts_days"], ".0f"),
        )
        rows.append(
            cells + ((number_text(row["shortfall_reroute_pct"], ".1f"),) if rerouted else ())
        )
    print_table(rows, "rllrrlrr", whole=(2,))  # the rank and the figures to the right
    echo_wrapped(
        "Key: mean sector %: the mean over sectors of the share of tonnes lost; % of t: "
        "of all makers' tonnes; TTS days: time to survive, the days until the worst "
        "sector's first maker falls short.",
        first="  ",
        rest="  ",
    )
    breaches = result.crma[result.crma["above_crma"]]
    click.echo("")
    echo_wrapped(
        f"CRMA benchmark: {len(breaches)} (stage, element) supplies to the EU above 65% "
        "from one third country"
    )
    for stage, group in breaches.groupby("stage", sort=False):
        echo_wrapped(
            f"{stage}: "
            + ", ".join(f"{r.element} {r.country} {r.share_pct:.0f}%" for r in group.itertuples()),
            first="  ",
            rest="    ",
        )


@cli.command(context_settings=CONTEXT_SETTINGS)
@scenario_option(
    "The scenario (its [uncertainty] table gives the ranges; see docs/risk.md).", required=True
)
@click.option(
    "--draws",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Number of draws.",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed.")
@click.option(
    "--approval-range",
    "approvals",
    multiple=True,
    metavar="REGIME=LOW:HIGH",
    help="A regime's licensed share, uniform (LOW:MODE:HIGH: triangular). Repeatable.",
)
@click.option(
    "--stock-days-range",
    metavar="LOW:HIGH",
    default=None,
    help="Range of the stock cover of nodes without a stock_days figure.",
)
@click.option(
    "--status-range",
    "statuses",
    multiple=True,
    metavar="STATUS=HALF_WIDTH",
    help="Relative half-width of flows and stock figures of a status "
    "(default reported=0.05, estimate=0.25, assumption=0.5). Repeatable.",
)
@data_option
@out_option(
    "Report folder [default: output/<scenario-name>-montecarlo, with a fingerprint of "
    "the flags that change the run]."
)
@click.option("--save-draws", is_flag=True, help="Also write every draw (montecarlo-draws.csv).")
@click.option("--raw", is_flag=True, help="Do not neutralise spreadsheet formulas in text cells.")
@cluster_options
@click.option("--quiet", "-q", is_flag=True, help="No table; only errors.")
@click.pass_context
def montecarlo(
    ctx: click.Context,
    scenario_name: str,
    draws: int,
    seed: int,
    approvals: tuple[str, ...],
    stock_days_range: str | None,
    statuses: tuple[str, ...],
    data_dir: Path | None,
    out_dir: Path | None,
    save_draws: bool,
    raw: bool,
    scheduler: str | None,
    workers: int | None,
    quiet: bool,
) -> None:
    """How sure are we: draw a scenario's uncertain inputs N times, report the spread.

    Draws the licensed shares (ranges per regime), the default stock cover and the
    data's flows and stock figures (a range per status), runs all draws as one batch
    (worst case, static steady state) and reports per sector the P5 / P50 / P95 of the
    shortfall (t, % of tonnes, % of units) and of the days to first loss, the inputs
    that drive the spread (rank correlation) and a chart. The same seed gives the same
    bytes, in-process or on a Dask cluster. Writes montecarlo.csv,
    montecarlo-drivers.csv, montecarlo.json, montecarlo.png and montecarlo.svg.

    \b
    Example:
        supplygraph montecarlo -s 2025-10-package \\
            --approval-range CN-2025-18=0.1:0.5
        supplygraph montecarlo -s 2025-10-package --draws 20000 --seed 7 \\
            --workers 2
        supplygraph montecarlo -s 2025-10-package --status-range assumption=0.2
    """
    with errors_handled(ctx):
        from ..analyses.montecarlo import montecarlo as run
        from ..dataset.graph import require_makers
        from ..outputs.files import write_file_set
        from ..outputs.risk_report import render_montecarlo
        from ..scenario.uncertainty import load_uncertainty, with_overrides

        scenario = build_scenario(scenario_name, data_dir)
        uncertainty = with_overrides(
            load_uncertainty(scenario),
            scenario,
            approvals=approvals,
            stock_days=stock_days_range,
            status=statuses,
        )
        graph = load_graph(data_dir)
        require_makers(graph)
        result = run(
            graph,
            scenario,
            uncertainty,
            draws=draws,
            seed=seed,
            scheduler=scheduler,
            workers=workers,
        )
        files = render_montecarlo(result, graph, raw=raw, draws=save_draws)
        name = f"{scenario.name}-montecarlo"
        given = given_flags(
            ctx, ["draws", "seed", "approvals", "stock_days_range", "statuses", "save_draws", "raw"]
        )
        out = report_folder(out_dir, name, given, graph)
        paths = write_file_set(out, files)
        if not quiet:
            _print_montecarlo(result)
            echo_reports(out, paths)
            print_folder_note(name, given, out_dir)


def _print_montecarlo(result: Any) -> None:
    """Print each sector's spread and its main driver."""
    echo_wrapped(
        f"{result.scenario.name}: {result.n_draws:,} draws, seed {result.seed} (worst case)"
    )
    header = ("sector", "scenario %", "P5 %", "P50 %", "P95 %", "days P5", "days P50", "days P95")
    drivers = result.drivers[result.drivers["rank"] == 1].set_index("sector")
    rows = [header]
    for row in result.summary.to_dict("records"):
        rows.append(
            (
                sector_label(row["sector"]),
                number_text(row["scenario_shortfall_pct"], ".1f"),
                *(number_text(row[f"p{q}_shortfall_pct"], ".1f") for q in (5, 50, 95)),
                *(number_text(row[f"p{q}_days_to_impact"], ".0f") for q in (5, 50, 95)),
            )
        )
    print_table(rows, "lrrrrrrr")
    if len(drivers):
        click.echo("\nMain driver of each sector's spread (Spearman's rho):")
    for row in result.summary.to_dict("records"):
        if row["sector"] in drivers.index:
            top = drivers.loc[row["sector"]]
            echo_wrapped(
                f"{sector_label(row['sector'])}: {top['input']} (rho {top['spearman_rho']:+.2f})",
                first="  ",
                rest="    ",
            )
    echo_wrapped(
        "Key: scenario %: the shortfall with every input at its central value; P5, P50, "
        "P95: the draws' percentiles of the share of tonnes lost and of the days to the "
        "first loss; the main driver: the input whose draws move the shortfall most.",
        first="  ",
        rest="  ",
    )
