"""Files of the dated runs: a timeline (CSV, record, chart, GEXF, page) and the backtest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..analyses import columns
from ..analyses.timeline import node_output_pct
from .charts import timeline_chart
from .export import gexf_bytes, timeline_network
from .html import render_html
from .record import record_json, run_record
from .report import to_csv_text

if TYPE_CHECKING:
    from ..analyses.backtest import Backtest
    from ..analyses.bands import Bands
    from ..analyses.exposure import Result
    from ..analyses.timeline import Timeline

PAGE_EVERY_DAYS = 7  # the page's date slider steps a week at a time: it keeps the page small


def render_timeline(
    timeline: Timeline, *, page_result: Result | None = None, raw: bool = False
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

    Returns
    -------
    dict of str to str or bytes
        ``timeline.csv`` (date x sector), ``timeline-lines.csv`` (per product line: first
        loss, recovery, lowest output, what was lost), ``timeline.json`` (the run),
        ``timeline.png`` and ``timeline.svg`` (the chart), ``timeline.gexf`` (each node's
        output over time) and ``timeline.html`` (the graph, its nodes coloured by each
        week's shortfall, and the chart). A run that kept no daily output (graphs above
        ``KEEP_DAYS_MAX_EDGES`` edges) has no ``timeline.gexf``, and its page no date slider.
    """
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
    record = run_record(scenario, timeline.graph, fields)
    if timeline.applicant is not None:  # its figures sit beside the mean's, applicant_...
        record["applicant"] = timeline.applicant.quantile
    queued = [c for c in timeline.lines.columns if c.startswith("applicant_")]
    files: dict[str, str | bytes] = {
        "timeline.csv": to_csv_text(timeline.sectors, list(timeline.sectors.columns), raw=raw),
        "timeline-lines.csv": to_csv_text(
            timeline.lines, columns.TIMELINE_LINE_COLUMNS + queued, raw=raw
        ),
        "timeline.json": record_json(record),
    }
    files.update(timeline_chart(timeline))
    days = None
    if timeline.ratio is not None:
        files["timeline.gexf"] = gexf_bytes(timeline_network(timeline))
        every = list(range(0, len(timeline.dates), PAGE_EVERY_DAYS))
        days = ([timeline.dates[k].isoformat() for k in every], node_output_pct(timeline)[every])
    if page_result is not None:
        files["timeline.html"] = render_html(
            page_result, days=days, chart_png=files["timeline.png"]
        )
    return files


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
