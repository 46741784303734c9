"""The supplygraph command line: parse, call the library, print, map errors to exit codes."""

from __future__ import annotations

import hashlib
import json
import math
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ._version import __version__
from .schema import STAGES, parse_date, parse_number, sector_label

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
SECTOR_HEADER = ("sector", "lost t/yr", "% of t", "% units", "outside {issuer}", "days", "rerouted")


class UserError(click.ClickException):
    """Bad input or usage: printed without a traceback, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="supplygraph")
@click.option("--debug", is_flag=True, help="Show the traceback of unexpected failures.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Rare-earth supply-chain graph explorer: who runs short, by how much and when,
    if China's export licences stop or slow.

    \b
    Example:
        supplygraph simulate --scenario 2025-10-package
    """
    ctx.obj = {"debug": debug}


class PlainNumber(click.ParamType):
    """A plain decimal as in the data files (no ``inf``, ``nan``, ``1_000``)."""

    name = "number"

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        number = value if isinstance(value, float) else parse_number(str(value).strip())
        if number is None:
            self.fail(f"{value!r} is not a plain decimal number such as 30 or 12.5", param, ctx)
        return number


class IsoDate(click.ParamType):
    """A ``YYYY-MM-DD`` date, as in regimes.csv."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        date = parse_date(str(value).strip())
        if date is None:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD", param, ctx)
        return date


def data_option(function: Any) -> Any:
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(path_type=Path),
        default=None,
        help="Dataset folder (nodes.csv, edges.csv[, regimes.csv, "
        "scenarios/]); default: the bundled data.",
    )(function)


@contextmanager
def errors_handled(ctx: click.Context) -> Iterator[None]:
    """Turn library errors into one-line messages and exit codes (2: input, 1: failure)."""
    from ._errors import DataError, SupplyGraphError

    try:
        yield
    except DataError as exc:
        for issue in exc.issues:
            click.echo(f"error: {issue}", err=True)
        count = f"{len(exc.issues)} error{'s' if len(exc.issues) != 1 else ''} in the data"
        writes = ctx.info_name not in ("validate", "scenarios")
        raise UserError(count + ("; nothing was written" if writes else "")) from None
    except SupplyGraphError as exc:
        raise UserError(f"error: {exc}") from None
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise UserError(f"error: cannot write or read{where}: {exc.strerror or exc}") from None
    except (click.ClickException, click.exceptions.Exit, KeyboardInterrupt):
        raise
    except Exception as exc:
        if ctx.obj and ctx.obj.get("debug"):
            traceback.print_exc()
        else:
            click.echo("(run with --debug for the traceback)", err=True)
        raise click.ClickException(f"unexpected failure: {type(exc).__name__}: {exc}") from None


def load_graph(data_dir: Path | None) -> Any:
    from .graph import load

    return load(data_dir)


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
        from .quality import (
            BREAKDOWN_COLUMNS,
            CITATION_COLUMNS,
            PUBLISHED_COLUMNS,
            quality_report,
            row_citations,
        )
        from .stats import concentration, stage_country_shares

        shares = stage_country_shares(graph)
        sintered = stage_country_shares(graph, material="ndfeb_sintered")
        # before any output: its tables may have errors
        quality = quality_report(graph, shares={None: shares, "ndfeb_sintered": sintered})
        for warning in [*graph.warnings, *quality.warnings]:
            if warning.severity != "note" or verbose:
                click.echo(f"{warning.severity}: {warning}", err=True)
        click.echo(
            f"{graph.n_nodes} nodes, {graph.n_edges} edges, "
            f"{graph.nodes['country'].nunique()} countries: OK"
        )
        counts = graph.nodes["stage"].value_counts()
        click.echo(
            "nodes per stage: " + ", ".join(f"{stage} {counts.get(stage, 0)}" for stage in STAGES)
        )
        _print_shares("Output by stage (t REO-eq/yr) and country share", shares, concentration)
        magnets = sintered[sintered["stage"] == "magnet"]
        if len(magnets):
            _print_shares(
                "Sintered NdFeB magnet output (material ndfeb_sintered)", magnets, concentration
            )
        _print_quality(quality.breakdown, quality.published)
        if quality_dir is not None:
            from .io import write_file_set
            from .report import to_csv_text

            paths = write_file_set(
                quality_dir,
                {
                    "quality.csv": to_csv_text(quality.breakdown, BREAKDOWN_COLUMNS),
                    "published-shares.csv": to_csv_text(quality.published, PUBLISHED_COLUMNS),
                    "citations.csv": to_csv_text(
                        row_citations(graph, quality.kinds), CITATION_COLUMNS
                    ),
                },
            )
            click.echo(f"\nwrote {', '.join(str(path) for path in paths)}")


def _print_shares(heading: str, shares: Any, concentration: Any) -> None:
    click.echo(f"\n{heading}:")
    summary = concentration(shares).set_index("stage")
    for stage, group in shares.groupby("stage", sort=False):
        row = summary.loc[stage]
        top = ", ".join(
            f"{c} {s:.1f}%"
            for c, s in zip(group["country"], group["share_pct"])
            if round(s, 1) > 0  # a country that rounds to 0.0% says nothing
        )
        click.echo(f"  {stage:<13} {row['output_t']:>11,.0f} t  HHI {row['hhi']:>6,.0f}  {top}")


def _print_quality(breakdown: Any, published: Any) -> None:
    """Print the data-quality report: edges by stage, nodes, published shares."""
    edges = breakdown[breakdown["table"] == "edges"]
    for by, heading in (
        ("status", "Edges by status, per supplier stage (count, % of the stage's tonnes)"),
        ("citation", "Edges by citation (primary: all URLs on primary publishers' domains)"),
    ):
        rows = edges[edges["by"] == by]
        values = list(dict.fromkeys(rows["value"]))
        click.echo(f"\n{heading}:")
        header = "".join(f"{value or '(empty)':>14}" for value in values)
        click.echo(f"  {'stage':<13} {'edges':>6}{header}")
        for stage, group in rows.groupby("stage", sort=False):
            cells = "".join(
                f"{n:>6} {pct:>6.1f}%" if n else f"{n:>6} {'-':>7}"  # none: no tonnes to share
                for n, pct in zip(group["rows"], group["flow_pct"])
            )
            click.echo(f"  {stage:<13} {group['rows'].sum():>6}{cells}")
    nodes = breakdown[breakdown["table"] == "nodes"]
    status, citation = (
        ", ".join(f"{value or '(empty)'} {n}" for value, n in zip(group["value"], group["rows"]))
        for _, group in nodes.groupby("by", sort=False)
    )
    total = nodes.loc[nodes["by"] == "status", "rows"].sum()
    click.echo(f"\nNodes ({total}) by status: {status}; by citation: {citation}")
    click.echo("\nPublished shares beside the computed ones (published.csv):")
    for row in published.to_dict("records"):
        where = row["stage"] + (f", {row['material']}" if row["material"] else "")
        computed, gap = "-", ""  # the stage makes none of the material
        if not math.isnan(row["computed_pct"]):
            computed = f"{row['computed_pct']:.1f}%"
            gap = f"{row['difference_pct']:+.1f} points"
        click.echo(
            f"  {row['country']} {where:<26} {computed:>6}  {row['publisher']} "
            f"{row['published_pct']:g}%  {gap:>13}  ({row['citation']} citation)"
        )


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
        from .io import load_regimes
        from .scenario import list_scenarios, load_scenario

        if name:
            scenario = load_scenario(name, data_dir=data_dir)
            click.echo(f"{scenario.name}: {scenario.title}")
            click.echo(
                f"as of: {scenario.as_of or 'as announced'}"
                + ("  (suspensions ignored)" if scenario.ignore_suspensions else "")
            )
            click.echo(f"file: {scenario.path}\n")
            click.echo(click.wrap_text(scenario.description) + "\n")
            for policy in scenario.licences:
                dests = f" to {', '.join(policy.destinations)}" if policy.destinations else ""
                click.echo(f"licences: {policy.regime} {_action(policy)}{dests}")
            for rule in scenario.rules:
                click.echo(f"rule: {rule.select.text} {_action(rule)}")
            for entry in scenario.capacity:
                click.echo(f"spare capacity: {entry.select.text} +{entry.spare:.0%} of baseline")
            click.echo(f"extraterritorial rule: {'on' if scenario.extraterritorial else 'off'}")
            for source in scenario.sources:
                click.echo(f"source: {source}")
            return
        click.echo("Scenarios:")
        for scenario in list_scenarios(data_dir):
            date = scenario.as_of.isoformat() if scenario.as_of else "any date"
            click.echo(f"  {scenario.name:<24} {date:<12}  {scenario.title}")
        custom = data_dir / "regimes.csv" if data_dir else None
        regimes = load_regimes(custom if custom and custom.is_file() else None)
        click.echo("\nRegimes:")
        for row in regimes.itertuples(index=False):
            suspended = (
                f", suspended {row.suspended_from} to {row.suspended_until}"
                if row.suspended_from
                else ""
            )
            click.echo(f"  {row.id:<12} effective {row.effective}{suspended}: {row.title}")


def _action(policy: Any) -> str:
    return "cut" if policy.action == "cut" else f"throttled to {policy.share:.0%} licensed"


def build_scenario(
    name: str | None, data_dir: Path | None, *, as_of: Any = None, **flags: Any
) -> Any:
    """Return the named scenario (or the baseline) with the command-line flags applied."""
    from .scenario import Scenario, compose, load_scenario

    scenario = load_scenario(name, data_dir=data_dir) if name else Scenario("baseline", "Baseline")
    return compose(scenario, as_of=as_of, **flags)


def scenario_options(function: Any) -> Any:
    options = [
        click.option(
            "--scenario",
            "-s",
            "scenario_name",
            metavar="NAME|FILE",
            help="A bundled scenario name (see `supplygraph scenarios`) or a TOML file.",
        ),
        click.option(
            "--as-of",
            type=IsoDate(),
            default=None,
            help="Date the regimes are judged on (replaces the scenario's).",
        ),
        click.option(
            "--regime",
            "regimes",
            multiple=True,
            metavar="ID[=SHARE]",
            help="Enforce a regime: cut, or throttled to SHARE licensed. Repeatable.",
        ),
        click.option(
            "--cut",
            "cuts",
            multiple=True,
            metavar="SELECTOR",
            help="Cut edges (key=value,...) or nodes (node:key=value). Repeatable.",
        ),
        click.option(
            "--throttle",
            "throttles",
            multiple=True,
            metavar="SELECTOR=SHARE",
            help="Throttle a selection to SHARE of its flow. Repeatable.",
        ),
        click.option(
            "--spare",
            "spares",
            multiple=True,
            metavar="node:SELECTOR=SHARE",
            help="Assume spare capacity for rerouting: the nodes could make SHARE "
            "more than their baseline (replaces their capacity_t). Repeatable.",
        ),
        click.option(
            "--extraterritorial/--no-extraterritorial",
            default=None,
            help="Apply 0.1%-content rules such as No. 61 (default: the scenario's).",
        ),
        click.option(
            "--ignore-suspensions",
            is_flag=True,
            help="Treat suspended regimes as in force (the measures as announced).",
        ),
        click.option(
            "--stock-days",
            type=PlainNumber(),
            default=None,
            help="Stock cover for nodes without a stock_days figure (default 0).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@cli.command(context_settings=CONTEXT_SETTINGS)
@scenario_options
@data_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Report folder [default: output/<scenario-name>, output/<scenario-name>--<fingerprint> "
    "with flags that change the run].",
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
    default=60.0,  # supplygraph.reroute.TIME_LIMIT, not imported: --help stays light
    show_default=True,
    metavar="SECONDS",
    help="Stop rerouting after this long; its columns are then left blank.",
)
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
        scenario = build_scenario(scenario_name, data_dir, **flags)
        with progress(quiet, 4) as step:
            step("loading data")
            graph = load_graph(data_dir)
            step("propagating the disruption" + (" and rerouting" if reroute else ""))
            from .charts import sector_chart
            from .exposure import simulate as run
            from .html import render_html
            from .report import write_reports

            result = run(graph, scenario, reroute=reroute, reroute_time_limit=reroute_time_limit)
            step("writing reports")
            given = given_flags(ctx, [*flags, "reroute", "html", "raw"])
            out = report_folder(out_dir, scenario.name, given, graph)
            options: dict[str, Any] = {"reroute": reroute, "html": html, "raw": raw}
            if given:
                options["flags"] = given
            page = render_html(result) if html else None
            charts = sector_chart(result)
            paths = write_reports(result, out, raw=raw, options=options, page=page, charts=charts)
            step("done")
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        if not quiet:
            print_summary(result, out, paths)
            print_folder_note(scenario_name and scenario.name, given, out_dir)
        if open_page and html:
            open_in_browser(out / "graph.html")


def given_flags(ctx: click.Context, names: list[str]) -> list[str]:
    """Return the options among ``names`` that differ from their defaults, as typed."""
    words = []
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if param.name not in names or value in (None, ()) or value == param.get_default(ctx):
            continue
        option = max(param.opts, key=len)
        if isinstance(param, click.Option) and param.is_flag:
            words.append(option if value else max(param.secondary_opts, key=len))
            continue
        for item in value if param.multiple else (value,):
            text = item.date().isoformat() if hasattr(item, "date") else str(item)
            words += [option, text]
    return words


def default_folder(name: str, given: list[str]) -> Path:
    """Return ``output/NAME``, or ``output/NAME--FINGERPRINT`` when flags change the run.

    The fingerprint (8 hex digits of a SHA-256 of the flags) keeps a run with flags from
    replacing the reports of the scenario as named, or of a run with other flags.
    """
    if not given:
        return Path("output") / name
    fingerprint = hashlib.sha256(json.dumps(given).encode("utf-8")).hexdigest()[:8]
    return Path("output") / f"{name}--{fingerprint}"


def report_folder(out_dir: Path | None, name: str, given: list[str], graph: Any) -> Path:
    """Return ``--out`` or the default folder; never the dataset's (whose files it would
    replace)."""
    out = out_dir or default_folder(name, given)
    if out.resolve() == graph.folder.resolve():
        raise UserError(
            f"error: cannot write the reports into the dataset folder {out}: "
            "they would replace its nodes.csv and edges.csv"
        )
    return out


def print_folder_note(name: str | None, given: list[str], out_dir: Path | None) -> None:
    """Say why a run with flags went to a folder of its own."""
    if given and out_dir is None:
        plain = f"; {default_folder(name, [])}/ was left as it was" if name else ""
        click.echo(f"(a folder of its own for the flags {' '.join(given)}{plain})")


@contextmanager
def progress(quiet: bool, steps: int) -> Iterator[Any]:
    """Yield a step(label) callable that shows a progress bar on stderr unless quiet."""
    if quiet or not sys.stderr.isatty():  # a bar in a log file is noise
        yield lambda label: None
        return
    with click.progressbar(
        length=steps, file=sys.stderr, label="supplygraph", show_eta=False
    ) as bar:

        def step(label: str) -> None:
            bar.label = f"{label:<40}"
            bar.update(1)

        yield step


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
                _number(row["shortfall_units_pct"], ".1f") if row["unit"] else "-",
                _number(row["outside_issuer_shortfall_pct"], ".1f"),
                _number(row["days_to_impact"], ".0f"),
                _number(row.get("shortfall_reroute_pct"), ".1f"),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(SECTOR_HEADER))]
    for row in rows:
        click.echo(
            "  "
            + "  ".join(
                cell.rjust(w) if i else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths))
            )
        )
    _echo_reports(out, paths)
    bottlenecks = worst_first[worst_first["bottlenecks"] != ""]
    if len(bottlenecks):
        click.echo("\nWhere the losses start (node and regime, by the tonnes each withholds):")
        for row in bottlenecks.to_dict("records"):
            text = f"{sector_label(row['sector'])}: {row['bottlenecks']}"
            click.echo(click.wrap_text(text, 78, initial_indent="  ", subsequent_indent="    "))


def open_in_browser(page: Path) -> None:
    """Open a page in the user's browser, or say plainly that none was found and where it is."""
    import webbrowser

    try:
        browser = webbrowser.get()
        opened = browser.open(page.resolve().as_uri())
    except webbrowser.Error:
        opened = False
    if not opened:
        click.echo(f"No web browser was found to open the page; open {page} in one.", err=True)


def _echo_reports(out: Path, paths: list[Path]) -> None:
    """Say where the reports went, wrapped to the terminal's 80 columns."""
    text = f"Reports in {out}/: " + ", ".join(p.name for p in paths)
    click.echo("\n" + click.wrap_text(text, 78, subsequent_indent="  "))


def _short(name: str, width: int = 16) -> str:
    """A scenario name cut to a column's width."""
    return name if len(name) <= width else name[: width - 1] + "\u2026"


def _number(value: Any, spec: str) -> str:
    """A figure for the terminal table; a dash where there is none."""
    return "-" if value is None or value != value else format(value, spec)


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("scenario_a", metavar="A")
@click.argument("scenario_b", metavar="B")
@data_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Report folder [default: output/compare-A-vs-B, output/compare-A-vs-B--<fingerprint> "
    "with --reroute].",
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
        from .charts import compare_chart
        from .compare import compare_results, write_comparison
        from .exposure import simulate as run

        graph = load_graph(data_dir)
        a = run(graph, build_scenario(scenario_a, data_dir), reroute=reroute)
        b = run(graph, build_scenario(scenario_b, data_dir), reroute=reroute)
        tables = compare_results(a, b)
        given = given_flags(ctx, ["reroute"])
        name = f"compare-{a.scenario.name}-vs-{b.scenario.name}"
        out = report_folder(out_dir, name, given, graph)
        charts = compare_chart(tables, a.scenario.name, b.scenario.name)
        paths = write_comparison(tables, out, charts=charts)
        for label, result in (("A", a), ("B", b)):
            for warning in result.warnings:  # e.g. rerouting stopped by its time limit
                click.echo(f"warning ({label}: {result.scenario.name}): {warning}", err=True)
        click.echo(f"A: {a.scenario.name} ({a.scenario.title})")
        click.echo(f"B: {b.scenario.name} ({b.scenario.title})\n")
        names = [_short(a.scenario.name), _short(b.scenario.name)]
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
        _echo_reports(out, paths)
        print_folder_note(name, given, out_dir)


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["graphml", "gexf", "json"]),
    required=True,
    help="graphml (Cytoscape, yEd), gexf (Gephi) or json (node-link).",
)
@click.option(
    "--scenario",
    "-s",
    "scenario_name",
    metavar="NAME|FILE",
    default=None,
    help="Add this scenario's results as node and edge attributes.",
)
@data_option
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Output file [default: output/graph.<format>, or output/graph-<scenario>.<format> "
    "with --scenario].",
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
        from .export import export_graph

        graph = load_graph(data_dir)
        result = None
        if scenario_name:
            from .exposure import simulate as run

            result = run(graph, build_scenario(scenario_name, data_dir), reroute=False)
        suffix = {"graphml": "graphml", "gexf": "gexf", "json": "json"}[fmt]
        name = f"graph-{result.scenario.name}" if result else "graph"
        out = out_file or Path("output") / f"{name}.{suffix}"
        export_graph(graph, out, fmt=fmt, result=result)
        click.echo(f"Wrote {out}")


@cli.command(context_settings=CONTEXT_SETTINGS)
@data_option
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Output file [default: output/graph.html].",
)
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
        from .exposure import baseline
        from .html import write_html

        supply = load_graph(data_dir)
        out = out_file or Path("output") / "graph.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        write_html(out, baseline(supply))
        click.echo(f"Wrote {out}")
        if open_page:
            open_in_browser(out)


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--scenario",
    "-s",
    "scenario_name",
    metavar="NAME|FILE",
    required=True,
    help="A dated scenario (e.g. 2025-replay) or any scenario file.",
)
@click.option(
    "--from",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First day [default: the scenario's start, else its as_of].",
)
@click.option(
    "--to",
    "end",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last day [default: the scenario's end, else a year after the first].",
)
@data_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Report folder [default: output/<scenario-name>-timeline].",
)
@click.option(
    "--applicant",
    metavar="Q|last",
    default=None,
    help="Also run every licence edge as one applicant at place Q in the queue of "
    "applications (0 first, 1 or last: the last), beside the pro-rata mean "
    "[default: the scenario's applicant, else the mean only].",
)
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
    """
    with errors_handled(ctx):
        from .charts import timeline_chart
        from .export import gexf_bytes, timeline_network
        from .exposure import simulate as simulate_static
        from .html import render_html
        from .io import load_dated_tables, write_file_set
        from .report import render_timeline
        from .scenario import check_applicant
        from .timeline import node_output_pct, simulate_days

        quantile = None if applicant is None else check_applicant(applicant, "--applicant")
        scenario = build_scenario(scenario_name, data_dir)
        graph = load_graph(data_dir)
        tables = load_dated_tables(data_dir)
        first = start.date() if start else None
        last = end.date() if end else None
        runs = 1 if quantile is None and scenario.applicant is None else 2
        with progress(quiet, 13 * runs) as step:
            run = simulate_days(
                graph,
                scenario,
                tables.approvals,
                tables.transit,
                start=first,
                end=last,
                progress=lambda days: step(f"day {days}"),
                capacity=tables.capacity,
                applicant=quantile,
            )
        files: dict[str, str | bytes] = dict(render_timeline(run))
        files.update(timeline_chart(run))
        files["timeline.gexf"] = gexf_bytes(timeline_network(run))
        every = range(0, len(run.dates), 7)  # a week a step keeps the page small
        output_pct = node_output_pct(run)[list(every)]
        days = ([run.dates[k].isoformat() for k in every], output_pct)
        steady = simulate_static(graph, scenario, reroute=False)
        files["timeline.html"] = render_html(steady, days=days, chart_png=files["timeline.png"])
        name = f"{scenario.name}-timeline"
        given = given_flags(ctx, ["start", "end", "applicant"])
        out = report_folder(out_dir, name, given, graph)
        paths = write_file_set(out, files)
        if not quiet:
            _print_timeline(run)
            _echo_reports(out, paths)
            print_folder_note(name, given, out_dir)


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
@click.option(
    "--scenario",
    "-s",
    "scenario_name",
    metavar="NAME|FILE",
    default="2025-replay",
    show_default=True,
    help="The dated scenario to replay.",
)
@data_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Report folder [default: output/backtest].",
)
@click.pass_context
def backtest(
    ctx: click.Context, scenario_name: str, data_dir: Path | None, out_dir: Path | None
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
    """
    with errors_handled(ctx):
        from .backtest import run_backtest
        from .io import load_backtest_tables, load_dated_tables, write_file_set
        from .report import to_csv_text

        graph = load_graph(data_dir)
        tables = load_dated_tables(data_dir)
        observed, events = load_backtest_tables(data_dir)
        result = run_backtest(
            graph,
            build_scenario(scenario_name, data_dir),
            tables.approvals,
            tables.transit,
            observed,
            events,
        )
        out = out_dir or Path("output") / "backtest"
        paths = write_file_set(
            out,
            {
                "backtest-series.csv": to_csv_text(result.series, list(result.series.columns)),
                "backtest-events.csv": to_csv_text(result.events, list(result.events.columns)),
            },
        )
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
        _echo_reports(out, paths)


def cluster_options(function: Any) -> Any:
    options = [
        click.option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            default=None,
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
@click.option(
    "--scenario",
    "-s",
    "scenario_name",
    metavar="NAME|FILE",
    default=None,
    help="The situation the knock-outs happen in [default: nothing else restricted].",
)
@click.option(
    "--stock-days",
    type=click.FloatRange(min=0),
    default=None,
    help="Stock cover for nodes without a stock_days figure (default: the scenario's, or 0).",
)
@click.option(
    "--sector",
    default=None,
    help="Rank by this sector's shortfall [default: the mean over sectors].",
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
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Report folder [default: output/criticality or output/<scenario>-criticality, "
    "with a fingerprint of the flags that change the run].",
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
        supplygraph criticality --sector ev --reroute-top 10
        supplygraph criticality -s 2025-11-truce --stock-days 30 --workers 2
    """
    with errors_handled(ctx):
        from .criticality import criticality as sweep
        from .io import write_file_set
        from .risk_report import render_criticality

        scenario = build_scenario(scenario_name, data_dir, stock_days=stock_days)
        graph = load_graph(data_dir)
        result = sweep(
            graph,
            scenario,
            reroute_top=reroute_top,
            sector=sector,
            scheduler=scheduler,
            workers=workers,
        )
        files: dict[str, str | bytes] = dict(render_criticality(result, graph, raw=raw))
        if html:
            from .exposure import simulate as run
            from .html import render_html

            loss = result.items[result.items["kind"] == "node"].set_index("id")
            files["criticality.html"] = render_html(
                run(graph, scenario, reroute=False),
                title=f"n-1 criticality: {scenario.title or scenario.name}",
                node_colour_pct=loss.loc[graph.nodes["id"], "mean_sector_pct"].to_numpy(),
                colour_title="Mean sector shortfall with the node down",
            )
        name = "criticality" if scenario_name is None else f"{scenario.name}-criticality"
        given = given_flags(ctx, ["stock_days", "sector", "reroute_top", "raw"])
        out = report_folder(out_dir, name, given, graph)
        paths = write_file_set(out, files)
        if not quiet:
            _print_criticality(result, top)
            click.echo(f"\nReports in {out}/: " + ", ".join(p.name for p in paths))
            print_folder_note(name, given, out_dir)


def _print_criticality(result: Any, top: int) -> None:
    """Print the top knock-outs and the CRMA breaches."""
    items = result.items.head(top)
    rerouted = "shortfall_reroute_pct" in items
    click.echo(
        f"n-1 sweep ({result.scenario.name}): {len(result.items)} knock-outs, "
        f"the {len(items)} that cost most:"
    )
    rank_by = str(items["rank_by"].iloc[0]) if len(items) else "mean_sector_pct"
    ranked = "mean sector %" if rank_by == "mean_sector_pct" else f"{rank_by} %"
    header = ("rank", "kind", "knocked out", ranked, "% of t", "worst sector", "TTS days")
    rows = [header + (("% after rerouting",) if rerouted else ())]
    for row in items.to_dict("records"):
        cells = (
            str(row["rank"]),
            row["kind"],
            row["id"] if len(row["id"]) <= 48 else row["id"][:47] + "...",
            f"{row['rank_pct']:.1f}",
            f"{row['shortfall_pct']:.1f}",
            f"{row['worst_sector']} {row['worst_sector_pct']:.0f}%" if row["worst_sector"] else "-",
            _number(row["tts_days"], ".0f"),
        )
        rows.append(cells + ((_number(row["shortfall_reroute_pct"], ".1f"),) if rerouted else ()))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo(
            "  "
            + "  ".join(
                cell.rjust(w) if i in (0, 3, 4, 6, 7) else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths))
            ).rstrip()
        )
    breaches = result.crma[result.crma["above_crma"]]
    click.echo(
        f"\nCRMA benchmark: {len(breaches)} (stage, element) supplies to the EU above 65% "
        "from one third country"
    )
    for stage, group in breaches.groupby("stage", sort=False):
        click.echo(
            f"  {stage:<13} "
            + ", ".join(f"{r.element} {r.country} {r.share_pct:.0f}%" for r in group.itertuples())
        )


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--scenario",
    "-s",
    "scenario_name",
    metavar="NAME|FILE",
    required=True,
    help="The scenario (its [uncertainty] table gives the ranges; see docs/risk.md).",
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
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Report folder [default: output/<scenario-name>-montecarlo, with a fingerprint of "
    "the flags that change the run].",
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
        supplygraph montecarlo -s 2025-10-package --approval-range CN-2025-18=0.1:0.5
        supplygraph montecarlo -s 2025-10-package --draws 20000 --seed 7 --workers 2
        supplygraph montecarlo -s 2025-10-package --status-range assumption=0.2
    """
    with errors_handled(ctx):
        from .io import write_file_set
        from .montecarlo import load_uncertainty, with_overrides
        from .montecarlo import montecarlo as run
        from .risk_report import render_montecarlo

        scenario = build_scenario(scenario_name, data_dir)
        uncertainty = with_overrides(
            load_uncertainty(scenario),
            scenario,
            approvals=approvals,
            stock_days=stock_days_range,
            status=statuses,
        )
        graph = load_graph(data_dir)
        result = run(
            graph,
            scenario,
            uncertainty,
            draws=draws,
            seed=seed,
            scheduler=scheduler,
            workers=workers,
        )
        files = render_montecarlo(result, graph, raw=raw)
        if not save_draws:
            del files["montecarlo-draws.csv"]
        name = f"{scenario.name}-montecarlo"
        given = given_flags(
            ctx, ["draws", "seed", "approvals", "stock_days_range", "statuses", "save_draws", "raw"]
        )
        out = report_folder(out_dir, name, given, graph)
        paths = write_file_set(out, files)
        if not quiet:
            _print_montecarlo(result)
            click.echo(f"\nReports in {out}/: " + ", ".join(p.name for p in paths))
            print_folder_note(name, given, out_dir)


def _print_montecarlo(result: Any) -> None:
    """Print each sector's spread and its main driver."""
    click.echo(f"{result.scenario.name}: {result.n_draws:,} draws, seed {result.seed} (worst case)")
    header = (
        "sector",
        "scenario %",
        "P5 %",
        "P50 %",
        "P95 %",
        "days P5",
        "P50",
        "P95",
        "main driver",
    )
    drivers = result.drivers[result.drivers["rank"] == 1].set_index("sector")
    rows = [header]
    for row in result.summary.to_dict("records"):
        driver = ""
        if row["sector"] in drivers.index:
            top = drivers.loc[row["sector"]]
            driver = f"{top['input']} (rho {top['spearman_rho']:+.2f})"
        rows.append(
            (
                row["sector"],
                _number(row["scenario_shortfall_pct"], ".1f"),
                *(_number(row[f"p{q}_shortfall_pct"], ".1f") for q in (5, 50, 95)),
                *(_number(row[f"p{q}_days_to_impact"], ".0f") for q in (5, 50, 95)),
                driver,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        click.echo(
            "  "
            + "  ".join(
                cell.rjust(w) if 0 < i < 8 else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths))
            ).rstrip()
        )


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="supplygraph")
