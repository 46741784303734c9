"""Commands that run scenarios: simulate, compare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..dataset.schema import sector_label
from ._base import (
    CONTEXT_SETTINGS,
    SECTOR_HEADER,
    band_text,
    build_scenario,
    cli,
    data_option,
    echo_reports,
    errors_handled,
    given_flags,
    load_graph,
    number_text,
    open_in_browser,
    out_option,
    print_folder_note,
    print_table,
    progress,
    report_folder,
    scenario_options,
    short_name,
)

SIMULATE_DRAWS = 200  # draws of simulate's bands by default (docs/model.md)


@cli.command(context_settings=CONTEXT_SETTINGS)
@scenario_options
@data_option
@out_option(
    "Report folder [default: output/<scenario-name>, output/<scenario-name>--<fingerprint> "
    "with flags that change the run]."
)
@click.option(
    "--reroute/--no-reroute",
    default=True,
    show_default=True,
    help="Also solve the best case: spare capacity rerouted (linear program).",
)
@click.option(
    "--reroute-time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,  # supplygraph.engine.reroute.TIME_LIMIT, not imported: --help stays light
    show_default=True,
    metavar="SECONDS",
    help="Stop rerouting after this long; its columns are then left blank.",
)
@click.option(
    "--draws",
    type=click.IntRange(min=0),
    default=SIMULATE_DRAWS,
    show_default=True,
    help="Draws of every range (flows, the scenario's [uncertainty]) for the P10-P90 band "
    "beside each figure (0: no band).",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed.")
@click.option("--html/--no-html", default=True, show_default=True, help="Write graph.html.")
@click.option("--open", "open_page", is_flag=True, help="Open graph.html in the browser.")
@click.option("--raw", is_flag=True, help="Do not neutralise spreadsheet formulas in text cells.")
@click.option("--quiet", "-q", is_flag=True, help="No progress and no table; only errors.")
@click.pass_context
def simulate(
    ctx: click.Context,
    scenario_name: str | None,
    data_dir: Path | None,
    out_dir: Path | None,
    draws: int,
    seed: int,
    reroute: bool,
    reroute_time_limit: float,
    html: bool,
    open_page: bool,
    raw: bool,
    quiet: bool,
    **flags: Any,
) -> None:
    """Run a disruption scenario: print the sector table and write the reports.

    Ad-hoc flags (--regime, --cut, --throttle, --spare) add to the named scenario;
    --as-of, --stock-days and --[no-]extraterritorial replace its settings. Reports go
    to OUT: sectors.csv, nodes.csv, countries.csv, edges.csv, reroute.csv, scenario.json,
    graph.html and a bar chart of the sectors (sectors.png, sectors.svg), replacing the
    previous run's as one set. A run with flags gets a folder of its own, named after the
    scenario and a fingerprint of the flags.

    \b
    Example:
        supplygraph simulate --scenario 2025-10-package
        supplygraph simulate --regime CN-2025-18=0.25 --as-of 2025-05-01
        supplygraph simulate --cut 'node:country=MM,stage=mine' --out output/mm
        supplygraph simulate -s us-only --throttle 'country=JP,dest=US=0.5' --open
        supplygraph simulate -s 2026-11-lapse --spare 'node:country=AU|US,stage=separation=0.3'
    """
    with errors_handled(ctx):
        from ..dataset.graph import require_makers

        scenario = build_scenario(scenario_name, data_dir, **flags)
        with progress(quiet, 4) as step:
            step("loading data")
            graph = load_graph(data_dir)
            require_makers(graph)
            step("propagating the disruption" + (" and rerouting" if reroute else ""))
            from ..analyses.exposure import simulate as run
            from ..outputs.files import write_file_set
            from ..outputs.report import render_simulation

            result = run(graph, scenario, reroute=reroute, reroute_time_limit=reroute_time_limit)
            if draws and len(result.sectors):
                from dataclasses import replace

                from ..analyses.montecarlo import sector_bands

                bands = sector_bands(graph, scenario, draws=draws, seed=seed)
                result = replace(
                    result, sectors=result.sectors.merge(bands, on="sector", how="left")
                )
            step("writing reports")
            given = given_flags(ctx, [*flags, "reroute", "html", "raw", "draws", "seed"])
            out = report_folder(out_dir, scenario.name, given, graph)
            options: dict[str, Any] = {"reroute": reroute, "html": html, "raw": raw}
            if given:
                options["flags"] = given
            files = render_simulation(result, raw=raw, options=options, html=html)
            paths = write_file_set(out, files)
            step("done")
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        if not quiet:
            print_summary(result, out, paths)
            print_folder_note(scenario_name and scenario.name, given, out_dir)
        if open_page and html:
            open_in_browser(out / "graph.html")


def _with_band(row: dict[str, Any], figure: str) -> str:
    """A sector's figure, with its P10-P90 band when the run drew one: ``30.9 (25-37)``."""
    central = row.get(figure, row.get(f"{figure}_p50"))  # outside units: the band's P50
    if f"{figure}_p10" not in row or row[f"{figure}_p10"] != row[f"{figure}_p10"]:  # NaN
        return number_text(central, ".1f")
    return band_text(central, row[f"{figure}_p10"], row[f"{figure}_p90"])


def print_summary(result: Any, out: Path, paths: list[Path]) -> None:
    """Print what was cut, the sector table and where the files went."""
    scenario = result.scenario
    click.echo(f"\n{scenario.name}: {scenario.title}")
    click.echo(
        f"as of {scenario.as_of or 'any date (regimes as announced)'}; "
        f"data {result.graph.checksum[:19]}"
    )
    for entry in result.disruption.regimes:
        state = "applied" if entry.applied else "not applied"
        click.echo(
            f"  regime {entry.regime.id}: {state} ({entry.reason}); "
            f"{entry.licence_edges} licence edges"
        )
    status = result.edges["flow_status"].value_counts()
    click.echo(
        "  edges: "
        + ", ".join(
            f"{status.get(s, 0)} {s}" for s in ("cut", "throttled", "reduced-upstream", "ok")
        )
    )
    click.echo("")
    issuer = result.sectors["issuer"].iloc[0] if len(result.sectors) else "CN"
    rows = [tuple(h.format(issuer=issuer) for h in SECTOR_HEADER)]
    worst_first = result.sectors.sort_values(["shortfall_pct", "sector"], ascending=[False, True])
    for row in worst_first.to_dict("records"):
        rows.append(
            (
                sector_label(row["sector"]),
                f"{row['shortfall_t']:,.0f}",
                f"{row['shortfall_pct']:.1f}",
                number_text(row["shortfall_units_pct"], ".1f") if row["unit"] else "-",
                number_text(row["outside_issuer_shortfall_pct"], ".1f"),
                number_text(row["days_to_impact"], ".0f"),
                number_text(row.get("shortfall_reroute_pct"), ".1f"),
            )
        )
    print_table(rows, "lrrrrrr")
    if "shortfall_pct_p10" in worst_first:
        draws = int(worst_first["band_draws"].max())
        click.echo(f"\nEach figure with its band, P10-P90 over {draws:,} draws of every range:")
        bands = [("sector", "% of t", "% units", f"% units outside {issuer}")]
        for row in worst_first.to_dict("records"):
            bands.append(
                (
                    sector_label(row["sector"]),
                    _with_band(row, "shortfall_pct"),
                    _with_band(row, "shortfall_units_pct") if row["unit"] else "-",
                    _with_band(row, "outside_issuer_shortfall_units_pct") if row["unit"] else "-",
                )
            )
        print_table(bands, "lrrr")
    echo_reports(out, paths)
    bottlenecks = worst_first[worst_first["bottlenecks"] != ""]
    if len(bottlenecks):
        click.echo("\nWhere the losses start (node and regime, by the tonnes each withholds):")
        for row in bottlenecks.to_dict("records"):
            text = f"{sector_label(row['sector'])}: {row['bottlenecks']}"
            click.echo(click.wrap_text(text, 78, initial_indent="  ", subsequent_indent="    "))


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("scenario_a", metavar="A")
@click.argument("scenario_b", metavar="B")
@data_option
@out_option(
    "Report folder [default: output/compare-A-vs-B, output/compare-A-vs-B--<fingerprint> "
    "with --reroute]."
)
@click.option(
    "--reroute/--no-reroute",
    default=False,
    show_default=True,
    help="Also compare the after-rerouting figures.",
)
@click.pass_context
def compare(
    ctx: click.Context,
    scenario_a: str,
    scenario_b: str,
    data_dir: Path | None,
    out_dir: Path | None,
    reroute: bool,
) -> None:
    """Run two scenarios and report the difference per sector and node (B minus A).

    Writes sectors.csv, nodes.csv and a bar chart of A beside B (compare.png, compare.svg).

    \b
    Example:
        supplygraph compare 2025-11-truce 2026-11-lapse
    """
    with errors_handled(ctx):
        from ..analyses.compare import compare_results
        from ..analyses.exposure import simulate as run
        from ..dataset.graph import require_makers
        from ..outputs.compare import render_comparison
        from ..outputs.files import write_file_set

        graph = load_graph(data_dir)
        require_makers(graph)
        a = run(graph, build_scenario(scenario_a, data_dir), reroute=reroute)
        b = run(graph, build_scenario(scenario_b, data_dir), reroute=reroute)
        tables = compare_results(a, b)
        given = given_flags(ctx, ["reroute"])
        name = f"compare-{a.scenario.name}-vs-{b.scenario.name}"
        out = report_folder(out_dir, name, given, graph)
        paths = write_file_set(out, render_comparison(tables, a.scenario.name, b.scenario.name))
        for label, result in (("A", a), ("B", b)):
            for warning in result.warnings:  # e.g. rerouting stopped by its time limit
                click.echo(f"warning ({label}: {result.scenario.name}): {warning}", err=True)
        click.echo(f"A: {a.scenario.name} ({a.scenario.title})")
        click.echo(f"B: {b.scenario.name} ({b.scenario.title})\n")
        names = [short_name(a.scenario.name), short_name(b.scenario.name)]
        width = max(8, *(len(n) for n in names))
        rerouted = f" {'B-A rerouted':>12}" if reroute else ""
        click.echo(
            f"{'sector':<22} {names[0]:>{width}} {names[1]:>{width}} {'B-A pts':>8} "
            f"{'B-A t':>10}{rerouted}"
        )
        click.echo(f"{'':<22} {'% short':>{width}} {'% short':>{width}}")
        for row in tables["sectors"].to_dict("records"):
            rerouted = f" {row['shortfall_reroute_pct_diff']:>12.1f}" if reroute else ""
            click.echo(
                f"{sector_label(row['sector']):<22} {row['shortfall_pct_a']:>{width}.1f} "
                f"{row['shortfall_pct_b']:>{width}.1f} {row['shortfall_pct_diff']:>8.1f} "
                f"{row['shortfall_t_diff']:>10,.1f}{rerouted}"
            )
        echo_reports(out, paths)
        print_folder_note(name, given, out_dir)
