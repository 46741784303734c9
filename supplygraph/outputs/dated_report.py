"""Files of the dated runs: a timeline (CSV, record, chart, GEXF, page) and the backtest."""

from __future__ import annotations

import io
import math
from dataclasses import asdict
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..analyses import columns
from ..analyses.timeline import node_output_pct
from ..dataset.schema import sector_label
from .charts import stock_chart, stock_keys, stock_used, timeline_chart
from .export import gexf_bytes, timeline_network
from .html import render_html
from .record import record_json, run_record
from .report import to_csv_text

if TYPE_CHECKING:
    from ..analyses.backtest import Backtest
    from ..analyses.bands import Bands
    from ..analyses.exposure import Result
    from ..analyses.timeline import Timeline
    from .fork import Forked

PAGE_EVERY_DAYS = 7  # the page's date slider steps a week at a time: it keeps the page small
# The page's stock sparklines: at most this many lines (those that used most of their cover),
# each at most this many days (a longer run is sampled every few days): the page stays small.
PAGE_STOCK_LINES = 50
PAGE_STOCK_POINTS = 366


def render_timeline(
    timeline: Timeline,
    *,
    page_result: Result | None = None,
    raw: bool = False,
    drawer: Forked | None = None,
) -> dict[str, str | bytes]:
    """Return the files of a dated run, keyed by file name, as ``supplygraph timeline``
    writes them.

    Parameters
    ----------
    timeline
        A dated run (:func:`supplygraph.analyses.timeline.simulate_days`).
    page_result
        The scenario's static result on the same graph
        (``simulate(graph, scenario, reroute=False)``), which ``timeline.html`` draws with a
        date slider; without it, no page.
    raw
        Leave text cells that a spreadsheet would run as formulas as they are.
    drawer
        Draw the chart in this process (:func:`supplygraph.outputs.charts.chart_drawer`)
        while the other files are rendered.

    Returns
    -------
    dict of str to str or bytes
        ``timeline.csv`` (date x sector), ``timeline-lines.csv`` (per product line: first
        loss, recovery, lowest output, what was lost), ``timeline.json`` (the run),
        ``timeline.png`` and ``timeline.svg`` (the chart), ``timeline.gexf`` (each node's
        output over time) and ``timeline.html`` (the graph, its nodes coloured by each
        week's shortfall, and the chart). A run that kept no daily output (graphs above
        ``KEEP_DAYS_MAX_EDGES`` edges) has no ``timeline.gexf``, and its page no date slider.
        A run with daily records adds them (:func:`records_file`), a chart of the stocks
        that ran down most (``timeline-stock.png``, ``.svg``) and, on the page, each such
        line's stock cover and output day by day (:func:`stock_panel`).
    """
    chart = timeline_chart(timeline, drawer=drawer)  # first: drawn while the rest is rendered
    scenario = timeline.scenario
    fields = {
        "title": scenario.title,
        "from": timeline.dates[0].isoformat(),
        "to": timeline.dates[-1].isoformat(),
        "licences": [
            {
                "regime": p.regime,
                "action": p.action,
                "share": p.share,
                "approvals": p.approvals or None,
                "approval_delay_days": p.approval_delay_days,
            }
            for p in scenario.licences
        ],
        "changes": [{"date": day.isoformat(), "what": what} for day, what in timeline.change_dates],
    }
    if scenario.dynamics.active:  # a run without adaptation records what it always did
        fields["dynamics"] = asdict(scenario.dynamics)
    record = run_record(scenario, timeline.graph, fields)
    if timeline.applicant is not None:  # its figures sit beside the mean's, applicant_...
        record["applicant"] = timeline.applicant.quantile
    queued = [c for c in timeline.lines.columns if c.startswith("applicant_")]
    queued = [c for c in columns.TIMELINE_DYNAMICS_COLUMNS if c in timeline.lines] + queued
    files: dict[str, str | bytes] = {
        "timeline.csv": to_csv_text(timeline.sectors, list(timeline.sectors.columns), raw=raw),
        "timeline-lines.csv": to_csv_text(
            timeline.lines, columns.TIMELINE_LINE_COLUMNS + queued, raw=raw
        ),
        "timeline.json": record_json(record),
    }
    stock = None
    if timeline.records is not None:
        files.update(records_file(timeline.records, raw=raw))
        files.update(stock_chart(timeline.records))
        stock = stock_panel(timeline.records, timeline.graph.nodes)
    files.update(chart)
    days = None
    if timeline.ratio is not None:
        files["timeline.gexf"] = gexf_bytes(timeline_network(timeline))
        every = list(range(0, len(timeline.dates), PAGE_EVERY_DAYS))
        days = ([timeline.dates[k].isoformat() for k in every], node_output_pct(timeline)[every])
    for name, content in chart.items():  # the drawer's bytes, waited for (the page shows them)
        files[name] = content() if callable(content) else content
    if page_result is not None:
        files["timeline.html"] = render_html(
            page_result,
            days=days,
            chart_png=files.get("timeline.png"),
            dated=dated_panel(timeline),
            stock=stock,
        )
    return files


def dated_panel(timeline: Timeline) -> dict[str, list]:
    """The page's side panel for a dated run: the figures the terminal prints (each
    sector's lowest output, when, and its first loss), not the steady state's.

    Parameters
    ----------
    timeline
        A dated run.

    Returns
    -------
    dict
        ``summary`` (lines of text), ``header`` and ``rows`` (the sector table, as text).
    """
    runs = [("", timeline)]
    if timeline.applicant is not None:
        quantile = timeline.applicant.quantile
        runs.append(("last applicant: " if quantile == 1 else f"applicant {quantile:g}: ",
                     timeline.applicant))  # fmt: skip
    header = ["sector"]
    tables = []
    for name, run in runs:
        header += [f"{name}lowest output", f"{name}on", f"{name}first loss"]
        tables.append(run.lowest().set_index("sector"))
    rows = []
    for sector in tables[0].sort_values(["output_pct"]).index:
        cells = [sector_label(sector)]
        for table in tables:
            row = table.loc[sector]
            cells += [f"{row['output_pct']:.1f}%", row["date"] or "-", row["first_loss"] or "-"]
        rows.append(cells)
    short = int((tables[-1]["output_pct"] < 100 - 1e-9).sum())
    summary = [
        f"Dated run {timeline.dates[0]} to {timeline.dates[-1]}: {short} of {len(tables[-1])} "
        "sectors fall short" + (f" ({runs[-1][0].rstrip(': ')})" if len(runs) > 1 else "")
    ]
    if short:
        worst = tables[-1].sort_values("output_pct").iloc[0]
        summary.append(
            f"the lowest: {sector_label(worst.name)} {worst['output_pct']:.1f}% on {worst['date']}"
        )
    return {"summary": summary, "header": header, "rows": rows}


def stock_panel(records: pd.DataFrame, nodes: pd.DataFrame) -> dict[str, list]:
    """The page's stock sparklines: per product line whose stock moved, its stock cover and
    output day by day, rounded to 0.1, written only on the days they change.

    A line's stock moved when its cover, rounded to 0.1 day, is not the same every day. The
    lines are ranked as the stock chart ranks them (:func:`~.charts.stock_used`), at most
    ``PAGE_STOCK_LINES``; a run of more than ``PAGE_STOCK_POINTS`` days is sampled every
    ``ceil(days / PAGE_STOCK_POINTS)`` days (the last day always kept).

    Parameters
    ----------
    records
        ``Timeline.records`` (days first, the lines in the same order every day).
    nodes
        The graph's node table (``id``, ``name``), for the lines' labels.

    Returns
    -------
    dict
        ``dates`` (ISO dates sampled), ``moved`` (how many lines' stock moved) and ``lines``:
        per line ``node``, ``line``, ``label`` (text), ``cover`` (days; ``None`` where the
        line has no stock) and ``output`` (% of baseline), each as ``[k, value]`` pairs: the
        value from the ``k``-th date sampled until the next pair.
    """
    dates = records["date"].drop_duplicates().tolist()
    n_days = len(dates)
    n_lines = len(records) // n_days if n_days else 0
    step = math.ceil(n_days / PAGE_STOCK_POINTS) if n_days else 1
    kept = sorted({*range(0, n_days, step), n_days - 1}) if n_days else []
    cover = np.round(records["cover_days"].to_numpy(float).reshape(n_days, n_lines)[kept], 1)
    output = np.round(records["output_pct"].to_numpy(float).reshape(n_days, n_lines)[kept], 1)
    first = records.iloc[:n_lines]
    position = {key: j for j, key in enumerate(stock_keys(first))}
    moved = [
        position[key]
        for key in stock_used(records).index
        if np.nanmax(cover[:, position[key]]) > np.nanmin(cover[:, position[key]])
    ]
    names = dict(zip(nodes["id"], nodes["name"]))

    def changes(values: np.ndarray) -> list[list]:
        """The series as ``[day, value]`` where it changes (the first day always)."""
        figures = [float(v) if np.isfinite(v) else None for v in values]
        return [[k, v] for k, v in enumerate(figures) if k == 0 or v != figures[k - 1]]

    lines = []
    for j in moved[:PAGE_STOCK_LINES]:
        node, line = str(first["node"].iloc[j]), str(first["line"].iloc[j]).strip()
        label = f"{names.get(node, node)} ({node})" + (f", {line}" if line else "")
        lines.append(
            {
                "node": node,
                "line": line,
                "label": label,
                "cover": changes(cover[:, j]),
                "output": changes(output[:, j]),
            }
        )
    return {"dates": [dates[k] for k in kept], "moved": len(moved), "lines": lines}


def records_file(records: pd.DataFrame, *, raw: bool = False) -> dict[str, str | bytes]:
    """Return a dated run's daily records as one long table: Parquet when pyarrow can be
    imported (``timeline-records.parquet``), else CSV (``timeline-records.csv``); either
    reads back with one pandas call.

    Parameters
    ----------
    records
        ``Timeline.records``: per date and product line, its output (% of baseline), the
        stock cover left (days of its scarcest input's stock) and the input that limits it.
    raw
        Leave text cells that a spreadsheet would run as formulas as they are (CSV only).

    Returns
    -------
    dict of str to str or bytes
    """
    table = records[columns.TIMELINE_RECORD_COLUMNS]
    try:
        import pyarrow  # noqa: F401  (optional: Parquet when present)
    except ImportError:
        return {"timeline-records.csv": to_csv_text(table, list(table.columns), raw=raw)}
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False, engine="pyarrow", compression="zstd")
    return {"timeline-records.parquet": buffer.getvalue()}


def render_backtest(backtest: Backtest, *, raw: bool = False) -> dict[str, str]:
    """Return the backtest's files, keyed by file name, as ``supplygraph backtest`` writes them.

    Parameters
    ----------
    backtest
        The replay beside what was observed (:func:`supplygraph.analyses.backtest.run_backtest`).
    raw
        Leave text cells that a spreadsheet would run as formulas as they are.

    Returns
    -------
    dict of str to str
        ``backtest-series.csv`` (monthly series, modelled against observed) and
        ``backtest-events.csv`` (plant stoppages and restarts, for the mean and the last
        applicant).
    """
    series, events = backtest.series, backtest.events
    files: dict[str, str] = {
        "backtest-series.csv": to_csv_text(series, list(series.columns), raw=raw),
        "backtest-events.csv": to_csv_text(events, list(events.columns), raw=raw),
    }
    if backtest.summary is not None:
        summary = backtest.summary
        files["backtest-summary.csv"] = to_csv_text(summary, list(summary.columns), raw=raw)
    return files


def render_bands(bands: Bands, *, raw: bool = False) -> dict[str, str]:
    """Return the files of a dated run's draws, as ``supplygraph timeline --draws`` writes
    them.

    Parameters
    ----------
    bands
        The draws (:func:`supplygraph.analyses.bands.simulate_bands`).
    raw
        Leave text cells that a spreadsheet would run as formulas as they are.

    Returns
    -------
    dict of str to str
        ``timeline-bands.csv`` (per month, sector and country: units and tonnes lost,
        P10 / P50 / P90, in the month and since the start, and the probability that a line
        had stopped by the month's end), ``timeline-stoppages.csv`` (per sector and country:
        the first-stoppage date band) and ``timeline-plants.csv`` (per aggregate and line:
        the first plant's first loss and recovery).
    """
    return {
        "timeline-bands.csv": to_csv_text(bands.months, list(bands.months.columns), raw=raw),
        "timeline-stoppages.csv": to_csv_text(
            bands.stoppages, list(bands.stoppages.columns), raw=raw
        ),
        "timeline-plants.csv": to_csv_text(bands.lines, list(bands.lines.columns), raw=raw),
    }
