"""Commands on the dataset itself: validate, scenarios, export, graph."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

from ..dataset.schema import STAGES
from ._base import (
    CONTEXT_SETTINGS,
    UserError,
    build_scenario,
    cli,
    data_option,
    echo_wrapped,
    errors_handled,
    given_overlays,
    load_graph,
    open_in_browser,
    out_option,
    print_table,
    scenario_option,
)


@cli.command(context_settings=CONTEXT_SETTINGS)
@data_option
@click.option("--verbose", "-v", is_flag=True, help="Also print notes that are no problem.")
@click.option(
    "--quality-out",
    "quality_dir",
    metavar="DIR",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the data-quality report here (quality.csv, published-shares.csv, "
    "citations.csv: each node's and edge's citation kind).",
)
@click.pass_context
def validate(
    ctx: click.Context, data_dir: Path | None, verbose: bool, quality_dir: Path | None
) -> None:
    """Check a dataset; print node counts, each stage's country shares and its data quality.

    Every problem is printed as FILE:LINE: COLUMN: MESSAGE; errors exit with status 2,
    warnings (mass balance, dead ends, missing sources, cited domains that
    publishers.csv lacks) do not; notes that are no problem (recycling loops) only with
    --verbose. The data-quality report counts edges per stage and nodes by status and by
    citation kind (primary or secondary publisher, or no URL), and sets the shares of
    published.csv beside the computed ones (docs/data-quality.md).

    \b
    Example:
        supplygraph validate
        supplygraph validate --data my-data/ --quality-out output/quality
    """
    with errors_handled(ctx):
        graph = load_graph(data_dir)
        from ..analyses.quality import quality_report
        from ..analyses.stats import concentration, stage_country_shares

        shares = stage_country_shares(graph)
        sintered = stage_country_shares(graph, material="ndfeb_sintered")
        # before any output: its tables may have errors
        quality = quality_report(
            graph, shares={None: shares, "ndfeb_sintered": sintered}, shock=quality_dir is not None
        )
        for warning in [*graph.warnings, *quality.warnings]:
            if warning.severity != "note" or verbose:
                click.echo(f"{warning.severity}: {warning}", err=True)
        click.echo(
            f"{graph.n_nodes} nodes, {graph.n_edges} edges, "
            f"{graph.nodes['country'].nunique()} countries: OK"
        )
        counts = graph.nodes["stage"].value_counts()
        echo_wrapped(
            "nodes per stage: " + ", ".join(f"{stage} {counts.get(stage, 0)}" for stage in STAGES)
        )
        _print_shares("Output by stage (t REO-eq/yr) and country share", shares, concentration)
        magnets = sintered[sintered["stage"] == "magnet"]
        if len(magnets):
            _print_shares(
                "Sintered NdFeB magnet output (material ndfeb_sintered)", magnets, concentration
            )
        _print_quality(quality.breakdown, quality.published, quality.shock)
        if quality_dir is not None:
            from ..outputs.files import write_file_set
            from ..outputs.quality_report import render_quality

            paths = write_file_set(quality_dir, render_quality(quality, graph))
            click.echo("")
            echo_wrapped(f"wrote {', '.join(str(path) for path in paths)}")


def _print_shares(heading: str, shares: Any, concentration: Any) -> None:
    click.echo(f"\n{heading}:")
    summary = concentration(shares).set_index("stage")
    rows = [("stage", "t/yr", "HHI", "country shares")]
    for stage, group in shares.groupby("stage", sort=False):
        row = summary.loc[stage]
        top = ", ".join(
            f"{c} {s:.1f}%"
            for c, s in zip(group["country"], group["share_pct"])
            if round(s, 1) > 0  # a country that rounds to 0.0% says nothing
        )
        rows.append((stage, f"{row['output_t']:,.0f}", f"{row['hhi']:,.0f}", top))
    print_table(rows, "lrrl")


def _print_quality(breakdown: Any, published: Any, shock: Any) -> None:
    """Print the data-quality report: edges by stage, nodes, published shares, the shock path."""
    edges = breakdown[breakdown["table"] == "edges"]
    for by, heading in (
        ("status", "Edges by status, per supplier stage (count, % of the stage's tonnes)"),
        ("citation", "Edges by citation (primary: all URLs on primary publishers' domains)"),
        ("range", "Estimate and assumption edges by the basis of their range of flow_t"),
    ):
        rows = edges[edges["by"] == by]
        values = list(dict.fromkeys(rows["value"]))
        click.echo("")
        echo_wrapped(f"{heading}:")
        header = ["stage", "edges"]
        for value in values:
            header += [value or "(empty)", "% of t"]
        table = [tuple(header)]
        for stage, group in rows.groupby("stage", sort=False):
            cells = [stage, str(group["rows"].sum())]
            # a value no edge of this stage has (a kind of citation found in other stages
            # only) is a column of the table all the same: 0 edges
            found = dict(zip(group["value"], zip(group["rows"], group["flow_pct"])))
            for value in values:
                n, pct = found.get(value, (0, 0.0))
                cells += [str(n), f"{pct:.1f}" if n else "-"]  # none: no tonnes to share
            table.append(tuple(cells))
        print_table(table, "l" + "r" * (len(header) - 1))
    nodes = breakdown[breakdown["table"] == "nodes"]
    status, citation = (
        ", ".join(f"{value or '(empty)'} {n}" for value, n in zip(group["value"], group["rows"]))
        for _, group in nodes.groupby("by", sort=False)
    )
    total = nodes.loc[nodes["by"] == "status", "rows"].sum()
    click.echo("")
    echo_wrapped(f"Nodes ({total}) by status: {status}; by citation: {citation}")
    click.echo("")
    echo_wrapped(
        "Published shares beside the computed ones (published.csv). They are world "
        "shares: the comparison holds for a dataset that covers the world's supply, as the "
        "bundled one does, not for a part of it."
    )
    rows = [("country", "stage", "computed", "published", "difference", "citation")]
    for row in published.to_dict("records"):
        where = row["stage"] + (f", {row['material']}" if row["material"] else "")
        computed, gap = "-", ""  # the stage makes none of the material
        if not math.isnan(row["computed_pct"]):
            computed = f"{row['computed_pct']:.1f}%"
            gap = f"{row['difference_pct']:+.1f} points"
        published_cell = f"{row['publisher']} {row['published_pct']:g}%"
        rows.append((row["country"], where, computed, published_cell, gap, row["citation"]))
    print_table(rows, "llrlrl")
    if len(shock):
        click.echo("\nShocked tonnage by status (edges a scenario moves, baseline t):")
        rows = [("scenario", "status", "edges", "t", "% of t")]
        for row in shock.itertuples(index=False):
            rows.append(
                (
                    row.scenario,
                    row.status,
                    f"{row.rows:,}",
                    f"{row.flow_t:,.0f}",
                    f"{row.flow_pct:.1f}",
                )
            )
        print_table(rows, "llrrr", whole=(0,))


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("name", required=False)
@data_option
@click.pass_context
def scenarios(ctx: click.Context, name: str | None, data_dir: Path | None) -> None:
    """List the bundled scenarios and regimes, or show one scenario in full.

    \b
    Example:
        supplygraph scenarios
        supplygraph scenarios 2025-11-truce
    """
    with errors_handled(ctx):
        from ..dataset.io import load_regimes
        from ..scenario.parse import list_scenarios, load_scenario

        custom = data_dir / "regimes.csv" if data_dir else None
        regimes = load_regimes(custom if custom and custom.is_file() else None)
        if name:
            _print_scenario(
                load_scenario(name, data_dir=data_dir, overlays=given_overlays()), regimes
            )
            return
        click.echo("Scenarios:")
        rows = [("name", "as of", "title")]
        for scenario in list_scenarios(data_dir, given_overlays()):
            date = scenario.as_of.isoformat() if scenario.as_of else "any date"
            rows.append((scenario.name, date, scenario.title))
        print_table(rows, "lll", whole=(0,))
        click.echo("\nRegimes:")
        rows = [("id", "dates", "title")]
        for row in regimes.itertuples(index=False):
            dates = f"effective {row.effective}"
            if row.suspended_from:
                dates += f", suspended {row.suspended_from} to {row.suspended_until}"
            if row.ends:
                dates += f", ended {row.ends}"
            rows.append((row.id, dates, row.title))
        print_table(rows, "lll", whole=(0,))


def _print_scenario(scenario: Any, regimes: Any) -> None:
    """Print one scenario in full, each regime it names in the state simulate applies."""
    from ..scenario.licence import regime_state, regimes_by_id

    known = regimes_by_id(regimes)
    echo_wrapped(f"{scenario.name}: {scenario.title}")
    click.echo(
        f"as of: {scenario.as_of or 'as announced'}"
        + ("  (suspensions ignored)" if scenario.ignore_suspensions else "")
    )
    echo_wrapped(f"file: {scenario.path}")
    click.echo("")
    echo_wrapped(scenario.description, rest="")
    click.echo("")
    for policy in scenario.licences:
        dests = f" to {', '.join(policy.destinations)}" if policy.destinations else ""
        state = ""
        if policy.regime in known:
            in_force, reason = regime_state(
                known[policy.regime], scenario.as_of, ignore_suspensions=scenario.ignore_suspensions
            )
            state = "" if in_force else f"; not applied, {reason}"
        echo_wrapped(f"licences: {policy.regime} {_action(policy)}{dests}{state}")
    for rule in scenario.rules:
        echo_wrapped(f"rule: {rule.select.text} {_action(rule)}{_window(rule)}")
    for entry in scenario.capacity:
        echo_wrapped(f"spare capacity: {entry.select.text} +{entry.spare:.0%} of baseline")
    click.echo(f"extraterritorial rule: {'on' if scenario.extraterritorial else 'off'}")
    for source in scenario.sources:
        echo_wrapped(f"source: {source}")
    dated = scenario.dated_parts()
    if dated:
        echo_wrapped(
            f"dated: {', '.join(dated)} (`supplygraph timeline -s {scenario.name}`; "
            "simulate gives the steady state)"
        )


def _action(policy: Any) -> str:
    return "cut" if policy.action == "cut" else f"throttled to {policy.share:.0%} licensed"


def _window(rule: Any) -> str:
    """A dated rule's days and recovery, as the scenario listing shows them."""
    if rule.start is None and rule.end is None:
        return ""
    days = f" from {rule.start or 'the start'} until {rule.end or 'the end'}"
    if rule.recovery:
        days += f", back in full {rule.recovery[-1][0]} days later"
    return days


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["graphml", "gexf", "json"]),
    required=True,
    help="graphml (Cytoscape, yEd), gexf (Gephi) or json (node-link).",
)
@scenario_option("Add this scenario's results as node and edge attributes.")
@data_option
@out_option(
    "Output file [default: output/graph.<format>, or output/graph-<scenario>.<format> "
    "with --scenario].",
    name="out_file",
)
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str,
    scenario_name: str | None,
    data_dir: Path | None,
    out_file: Path | None,
) -> None:
    """Export the graph with its attributes (and a scenario's results) for other tools.

    \b
    Example:
        supplygraph export --format gexf --scenario 2025-10-package
    """
    with errors_handled(ctx):
        from ..outputs.export import export_graph

        graph = load_graph(data_dir)
        result = None
        if scenario_name:
            from ..analyses.exposure import simulate as run

            result = run(graph, build_scenario(scenario_name, data_dir), reroute=False)
        suffix = {"graphml": "graphml", "gexf": "gexf", "json": "json"}[fmt]
        name = f"graph-{result.scenario.name}" if result else "graph"
        out = out_file or Path("output") / f"{name}.{suffix}"
        export_graph(graph, out, fmt=fmt, result=result)
        echo_wrapped(f"Wrote {out}")


@cli.command(context_settings=CONTEXT_SETTINGS)
@data_option
@out_option("Output file [default: output/graph.html].", name="out_file")
@click.option("--open", "open_page", is_flag=True, help="Open the page in the browser.")
@click.pass_context
def graph(
    ctx: click.Context, data_dir: Path | None, out_file: Path | None, open_page: bool
) -> None:
    """Draw the baseline graph (no scenario), nodes coloured by country, as an HTML page.

    \b
    Example:
        supplygraph graph --open
    """
    with errors_handled(ctx):
        from ..analyses.exposure import baseline
        from ..outputs.html import write_html

        supply = load_graph(data_dir)
        out = out_file or Path("output") / "graph.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        write_html(out, baseline(supply))
        echo_wrapped(f"Wrote {out}")
        if open_page:
            open_in_browser(out)


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("name", required=False)
def docs(name: str | None) -> None:
    """Print a page of the documentation (docs/NAME.md), or list the pages.

    The pages the help of other commands names (docs/risk.md, docs/reports.md, ...)
    ship with the package; this prints them where a browser cannot reach the source.

    \b
    Example:
        supplygraph docs
        supplygraph docs reports | less
    """
    folder = docs_folder()
    pages = sorted(path.stem for path in folder.glob("*.md"))
    if name is None:
        click.echo(f"Pages in {folder}/ (supplygraph docs NAME prints one):")
        for page in pages:
            click.echo(f"  {page}")
        return
    stem = Path(name).stem  # docs/risk.md, risk.md and risk name one page
    if stem not in pages:
        raise UserError(f"error: no page {name!r}; pages: {', '.join(pages)}")
    click.echo((folder / f"{stem}.md").read_text(encoding="utf-8"), nl=False)


def docs_folder() -> Path:
    """The documentation's folder: installed as ``supplygraph.docs``, else the checkout's."""
    from importlib import resources

    try:
        return Path(str(resources.files("supplygraph.docs")))
    except ModuleNotFoundError:  # a source checkout: docs/ sits beside the package
        return Path(__file__).resolve().parents[2] / "docs"
