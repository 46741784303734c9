"""Commands on trade statistics: reconcile (the graph beside them), apply (a dataset from them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ._base import (
    CONTEXT_SETTINGS,
    UserError,
    cli,
    data_option,
    echo_reports,
    echo_wrapped,
    errors_handled,
    given_flags,
    given_overlays,
    load_graph,
    number_text,
    out_option,
    print_folder_note,
    print_table,
    report_folder,
)

FLAGS = ["files", "format", "country_codes", "year"]
REPORTS = {"exporter": "exporters' reports", "baci": "BACI", "importer": "importers' reports"}


@cli.group(context_settings=CONTEXT_SETTINGS)
def trade() -> None:
    """Trade statistics (UN Comtrade, CEPII BACI) beside the graph's cross-border flows.

    FILE is a Comtrade CSV (annual or monthly, as its website and API give it) or a BACI
    file (t,i,j,k,v,q), plain, gzip or zip, told apart by its header; see docs/trade.md.

    \b
    Example:
        supplygraph trade reconcile TradeData_2024.csv
        supplygraph trade apply BACI_HS22_V202601.zip --out my-data
    """


def trade_options(function: Any) -> Any:
    """The files and the options that say how to read them."""
    options = [
        click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path)),
        click.option(
            "--format",
            "format",
            type=click.Choice(["comtrade", "baci"]),
            default=None,
            help="Read every FILE as this format [default: by each file's header].",
        ),
        click.option(
            "--country-codes",
            type=click.Path(path_type=Path, exists=True, dir_okay=False),
            default=None,
            help="A BACI country_codes_*.csv [default: BACI's V202601, or the one in a zip].",
        ),
        click.option(
            "--year",
            type=click.IntRange(1962, 2100),
            default=None,
            help="The year to compare [default: the latest in the files].",
        ),
        data_option,
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _reconcile(data_dir: Path | None, files: tuple[Path, ...], **options: Any) -> Any:
    """Read the graph, the HS table and the files; reconcile."""
    from ..analyses.trade import reconcile
    from ..dataset.io import dataset_file
    from ..dataset.trade import read_trade_files
    from ..dataset.trade_codes import load_hs_table

    graph = load_graph(data_dir)
    hs_table = load_hs_table(dataset_file(data_dir, "hs.csv"))
    found = read_trade_files(
        files, hs_table["hs"], format=options["format"], country_codes=options["country_codes"]
    )
    return graph, hs_table, reconcile(graph, found, hs_table, year=options["year"])


@trade.command(context_settings=CONTEXT_SETTINGS)
@trade_options
@out_option(
    "Report folder [default: output/trade-reconcile, with a fingerprint of the files and options]."
)
@click.option("--top", type=click.IntRange(0), default=15, show_default=True, help="Rows shown.")
@click.option("--raw", is_flag=True, help="Write text cells as they are.")
@click.pass_context
def reconcile(
    ctx: click.Context,
    files: tuple[Path, ...],
    format: str | None,
    country_codes: Path | None,
    year: int | None,
    data_dir: Path | None,
    out_dir: Path | None,
    top: int,
    raw: bool,
) -> None:
    """Set trade statistics beside the graph: per exporter, importer and material group.

    Prints what was read, the World checks, the areas that are not countries, what the
    8505.11 unit-value rule set aside, the coverage both ways and the worst disagreements
    (largest gap in t REO first); writes trade-reconcile.csv, trade-areas.csv and
    trade-reconcile.json. Tonnes are t REO, the graph's unit (data/hs.csv says how).

    \b
    Example:
        supplygraph trade reconcile tests/data/trade/comtrade-cn-850511-2024.csv
        supplygraph trade reconcile BACI_HS22_Y2024_V202601.csv.gz \\
            country_codes_V202601.csv
    """
    with errors_handled(ctx):
        graph, _, found = _reconcile(
            data_dir, files, format=format, country_codes=country_codes, year=year
        )
        from ..outputs.files import write_file_set
        from ..outputs.trade_report import render_reconcile

        given = given_flags(ctx, FLAGS)
        out = report_folder(out_dir, "trade-reconcile", given, graph)
        paths = write_file_set(out, render_reconcile(found, raw=raw))
        _print_reconcile(found, top)
        print_folder_note(None, given, out_dir)
        echo_reports(out, paths)


@trade.command(name="apply", context_settings=CONTEXT_SETTINGS)
@trade_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="The new dataset folder (never the one read).",
)
@click.option(
    "--residual",
    metavar="NODE",
    help="A node standing for the destinations without a node of their own: it takes the "
    "statistics of its country and of every partner the graph lacks (the bundled data's: "
    "hk-reexport-other-agg).",
)
@click.pass_context
def apply_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    format: str | None,
    country_codes: Path | None,
    year: int | None,
    data_dir: Path | None,
    out_dir: Path,
    residual: str | None,
) -> None:
    """Write a new dataset with each country pair's flows scaled to the statistic.

    The within-country split between named plants is kept; the statistic is cited as the
    source; monthly rows become observations per destination in observed.csv for the
    backtest. The dataset read is never modified. Writes the dataset's tables,
    trade-changes.csv (what moved) and trade-reconcile.csv into --out.

    \b
    Example:
        supplygraph trade apply tests/data/trade/baci-cn-850511-2024.csv --out my-data
        supplygraph validate --data my-data
    """
    with errors_handled(ctx):
        if given_overlays():  # the new dataset would hold the overlay's rows as its own
            raise UserError(
                "error: trade apply writes a new dataset from the data alone: run it without "
                "--overlay, then give the overlay on top of the new dataset"
            )
        graph, hs_table, found = _reconcile(
            data_dir, files, format=format, country_codes=country_codes, year=year
        )
        _check_new_folder(out_dir, graph.folder)
        if residual is not None and residual not in set(graph.nodes["id"]):
            raise UserError(f"error: --residual {residual}: no such node in the dataset")
        from ..analyses.trade_apply import apply_statistics
        from ..dataset.io import load_backtest_tables
        from ..outputs.files import write_file_set
        from ..outputs.trade_report import render_trade_dataset

        observed = load_backtest_tables(data_dir).observed
        based = observed.loc[observed["month"].str.endswith("-avg"), "series"]
        application = apply_statistics(graph, found, hs_table, based=based, residual=residual)
        paths = write_file_set(out_dir, render_trade_dataset(graph.folder, application, found))
        changes = application.changes
        scaled = changes[changes["change"] == "scaled"]
        pairs = len(scaled[["exporter", "importer", "group"]].drop_duplicates())
        counts = changes["change"].value_counts()
        echo_wrapped(
            f"{len(scaled)} edges of {pairs} country pairs scaled to the "
            f"{found.summary['year']} statistics; {counts.get('not_added', 0)} pairs the graph "
            f"lacks listed, not added; {counts.get('left_unchanged', 0)} pairs without a "
            "statistic left as they were (trade-changes.csv)"
        )
        if counts.get("to_residual", 0):
            click.echo(
                f"{counts['to_residual']} pairs the graph lacks folded into {residual}'s flows"
            )
        if len(application.observed):
            echo_wrapped(f"{len(application.observed)} monthly observations added to observed.csv")
        if application.held_back:
            echo_wrapped(
                f"{application.held_back} monthly rows held back: their series has no year of "
                "twelve months, so no baseline (YYYY-avg) to be a share of"
            )
        echo_reports(out_dir, paths)
        echo_wrapped(f"Check it: supplygraph validate --data {out_dir}")


def _check_new_folder(out: Path, read: Path) -> None:
    """Refuse the folder read, and a folder holding another dataset (its tables would go)."""
    from ..dataset.io import bundled_data_dir
    from ..outputs.files import RUN_MANIFEST

    if out.resolve() in (read.resolve(), bundled_data_dir().resolve()):
        raise UserError(f"error: --out {out} is the dataset read: it is never modified")
    ours = set()
    if (out / RUN_MANIFEST).is_file():
        ours = set(json.loads((out / RUN_MANIFEST).read_text(encoding="utf-8"))["files"])
    for name in ("nodes.csv", "edges.csv"):
        if (out / name).exists() and name not in ours:
            raise UserError(
                f"error: --out {out} holds a dataset ({name}) that trade apply did not write: "
                "choose a new folder"
            )


def _print_reconcile(found: Any, top: int) -> None:
    summary = found.summary
    files = ", ".join(
        f"{Path(f['file']).name} ({f['kept']} of {f['rows']} rows)" for f in summary["files"]
    )
    months = f", {summary['months']} months scaled to a year" if summary["months"] else ""
    echo_wrapped(f"Read {files}; year {summary['year']}{months}")
    for note in summary["notes"]:
        echo_wrapped(f"note: {note}", first="  ", rest="    ")
    for check in summary["world_checks"]:
        gap = check["world_t"] - check["partners_t"]
        echo_wrapped(
            f"World check, reporter {check['reporter_code']} {check['flow']} HS {check['hs']} "
            f"{check['period']}: World {check['world_t']:,.3f} t, its {check['partners']} "
            f"partners {check['partners_t']:,.3f} t (difference {gap:,.3f} t)"
        )
    areas = found.areas[found.areas["kind"] == "area"]
    if len(areas):
        listed = "; ".join(
            f"{row.area} ({row.partner_code}) {row.product_t:,.3f} t" for row in areas.itertuples()
        )
        echo_wrapped(f"Areas, not countries (left out of the pairs): {listed}")
    for report, rule in summary["set_aside"].items():
        echo_wrapped(
            f"Unit-value rule (data/hs.csv), {REPORTS[report]}: of {rule['weighed_t']:,.0f} t of "
            f"8505.11, {rule['counted_t']:,.0f} t counted as rare-earth magnets, "
            f"{rule['set_aside_t']:,.0f} t set aside ({rule['rows']} rows)"
        )
    echo_wrapped(
        f"Coverage: the graph has a flow for {_pct(summary['statistic_coverage'])} of the "
        f"statistic's {summary['statistic_t']:,.0f} t REO; the statistic covers "
        f"{_pct(summary['graph_coverage'])} of the graph's {summary['graph_t']:,.0f} t REO "
        f"of these materials across borders ({summary['graph_in_scope_t']:,.0f} t in the "
        "files' scope)"
    )
    if top:
        click.echo("\nWorst disagreements (t REO; ratio = graph / statistic):")
        rows = [("exporter", "importer", "group", "statistic", "graph", "ratio", "flag")]
        for row in found.table.head(top).itertuples(index=False):
            rows.append(
                (
                    row.exporter,
                    row.importer,
                    row.group,
                    number_text(row.statistic_t, ",.1f"),
                    number_text(row.graph_t, ",.1f"),
                    number_text(row.ratio, ".2f"),
                    row.flag,
                )
            )
        print_table(rows, "lllrrrl")


def _pct(share: float) -> str:
    return "-" if share != share else f"{100 * share:.1f}%"
