"""Commands that run scenarios: simulate, compare."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from ..dataset.schema import sector_label
from ._base import (
    CONTEXT_SETTINGS,
    band_text,
    build_scenario,
    cli,
    data_option,
    echo_reports,
    echo_wrapped,
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
@click.option(
    "--focus",
    metavar="overlay|ID,...",
    default=None,
    help="Your own part: the overlay's nodes, or these node ids. The table shows their "
    "lines, and focus.csv is written.",
)
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
    focus: str | None,
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
        supplygraph simulate -s 2026-11-lapse --spare 'node:country=AU|MY|JP=0.5'
    """
    with errors_handled(ctx), ExitStack() as stack:
        from ..outputs.charts import chart_drawer

        # matplotlib imported in a second process while the run is computed, and the chart
        # drawn there while the other reports are written (docs/performance.md)
        drawer = stack.enter_context(chart_drawer())
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
                if focus is not None and result.lines is not None:  # focus.csv's band
                    from ..analyses.focus import focus_mask
                    from ..analyses.montecarlo import focus_bands

                    mask = focus_mask(graph, focus)
                    lines = focus_bands(graph, scenario, mask, draws=draws, seed=seed)
                    result = replace(
                        result, lines=result.lines.merge(lines, on=["node", "line"], how="left")
                    )
            step("writing reports")
            given = given_flags(ctx, [*flags, "reroute", "html", "raw", "focus", "draws", "seed"])
            out = report_folder(out_dir, scenario.name, given, graph)
            options: dict[str, Any] = {"reroute": reroute, "html": html, "raw": raw}
            if given:
                options["flags"] = given
            files = render_simulation(
                result, raw=raw, options=options, html=html, focus=focus, drawer=drawer
            )
            paths = write_file_set(out, files)
            step("done")
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        if not quiet:
            print_summary(result, out, paths, focus=focus)
            print_folder_note(scenario_name and scenario.name, given, out_dir)
        if open_page and html:
            open_in_browser(out / "graph.html")


def _with_band(row: dict[str, Any], figure: str) -> str:
    """A sector's (or a line's) figure, with its P10-P90 band when the run drew one:
    ``30.9 (25-37)``."""
    central = row.get(figure, row.get(f"{figure}_p50"))  # outside units: the band's P50
    if f"{figure}_p10" not in row or row[f"{figure}_p10"] != row[f"{figure}_p10"]:  # NaN
        return number_text(central, ".1f")
    return band_text(central, row[f"{figure}_p10"], row[f"{figure}_p90"])


# The sector table's columns, and what each means (the key printed under the table)
SECTOR_KEY = (
    ("lost t/yr", "rare-earth tonnes a year the sector's makers go without"),
    ("% of t", "that share of their baseline tonnes"),
    ("% units", "share of products (vehicles, MW, ...) not made"),
    ("% outside {issuer}", "% of t for makers outside {issuer}"),
    ("days", "until the first maker's output falls (stocks drawn down)"),
    ("% best case", "% of t still lost once spare capacity is rerouted"),
)


def plural(count: int, noun: str) -> str:
    """``1 licence edge``, ``2 licence edges``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def print_summary(result: Any, out: Path, paths: list[Path], *, focus: str | None = None) -> None:
    """Print what was cut, the sector table (or the focus's lines) and where the files went."""
    scenario = result.scenario
    click.echo("")
    echo_wrapped(f"{scenario.name}: {scenario.title}")
    click.echo(
        f"as of {scenario.as_of or 'any date (regimes as announced)'}; "
        f"data {result.graph.checksum[:19]}"
    )
    dated = scenario.dated_parts()
    if dated:
        echo_wrapped(
            f"note: {scenario.name} is a dated scenario; simulate gives the steady state "
            f"and ignores its {', '.join(dated)}: `supplygraph timeline -s {scenario.name}` "
            "runs it day by day",
            first="  ",
            rest="    ",
        )
    for entry in result.disruption.regimes:
        state = "applied" if entry.applied else "not applied"
        echo_wrapped(
            f"regime {entry.regime.id}: {state}, {entry.reason}; "
            f"{plural(entry.licence_edges, 'licence edge')}",
            first="  ",
            rest="    ",
        )
    status = result.edges["flow_status"].value_counts()
    click.echo(
        "  edges: "
        + ", ".join(
            f"{status.get(s, 0)} {s}" for s in ("cut", "throttled", "reduced-upstream", "ok")
        )
    )
    if "taken_t" in result.edges:
        taken = result.edges[result.edges["taken_t"] > 0]
        for row in taken.to_dict("records"):
            echo_wrapped(
                f"overlay: {row['taken_t']:g} t/yr of {row['material']} taken out of "
                f"{row['supplier']} -> {row['customer']} (now {row['baseline_t']:g} t/yr)",
                first="  ",
                rest="    ",
            )
    click.echo("")
    if focus is not None:
        print_focus(result, focus)
        echo_reports(out, paths)
        return
    issuer = result.sectors["issuer"].iloc[0] if len(result.sectors) else "CN"
    rows = [tuple(["sector", *(h.format(issuer=issuer) for h, _ in SECTOR_KEY)])]
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
    key = "; ".join(
        f"{h.format(issuer=issuer)}: {text.format(issuer=issuer)}" for h, text in SECTOR_KEY
    )
    echo_wrapped(f"Key: {key}; - none. Columns: docs/reports.md.", first="  ", rest="  ")
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
            echo_wrapped(text, first="  ", rest="    ")


def print_focus(result: Any, focus: str) -> None:
    """Print the focus's lines: shortfall, first stoppage, what limits them, the best case."""
    from ..analyses.focus import focus_table

    header = ("node / line", "lost t/yr", "% of t", "stops", "limiting input", "rerouted")
    rows = [header]
    for row in focus_table(result, focus).to_dict("records"):
        name = row["node"] + (f" / {row['line']}" if row["line"] else "")
        why = row["limiting_input"] or "-"
        if row["limiting_suppliers"]:
            why += f" from {row['limiting_suppliers']}"
        rows.append(
            (
                name,
                f"{row['shortfall_t']:,.1f}",
                _with_band(row, "shortfall_pct"),
                row["first_stoppage"] or number_text(row["days_to_impact"], ".0f"),
                why,
                number_text(row.get("shortfall_reroute_pct"), ".1f"),
            )
        )
    print_table(rows, "lrrrlr")


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
        echo_wrapped(f"A: {a.scenario.name} ({a.scenario.title})")
        echo_wrapped(f"B: {b.scenario.name} ({b.scenario.title})")
        click.echo("")
        header = ["sector", "A % short", "B % short", "B-A points", "B-A t/yr"]
        header += ["B-A points after reroute"] if reroute else []
        rows = [tuple(header)]
        for row in tables["sectors"].to_dict("records"):
            cells = [
                sector_label(row["sector"]),
                *(f"{row[c]:.1f}" for c in ("shortfall_pct_a", "shortfall_pct_b")),
                f"{row['shortfall_pct_diff']:+.1f}",
                f"{row['shortfall_t_diff']:+,.1f}",
            ]
            cells += [f"{row['shortfall_reroute_pct_diff']:+.1f}"] if reroute else []
            rows.append(tuple(cells))
        print_table(rows, "lrrrrr")
        echo_reports(out, paths)
        print_folder_note(name, given, out_dir)
