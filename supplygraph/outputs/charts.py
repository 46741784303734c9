"""Charts as PNG and SVG: the sector table, a comparison, a dated run, a Monte Carlo run."""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dataset.schema import sector_label
from .fork import Forked

if TYPE_CHECKING:
    import pandas as pd

    from ..analyses.exposure import Result
    from ..analyses.montecarlo import MonteCarlo
    from ..analyses.timeline import Timeline

# Okabe-Ito: distinct for colour-blind readers.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
# Every chart's settings: the same bytes on every run (a fixed SVG id salt), and a "$" in a
# name printed, not read as mathematics.
RC = {"svg.hashsalt": "supplygraph", "text.parse_math": False, "font.size": 9}
NEVER_SHORT_PCT = 99.95  # a sector whose output stays above this is drawn as "never short"
SVG_TEXT = {"svg.fonttype": "none"}  # text stays text in the SVG, not glyph outlines


def sector_chart(result: Result, *, drawer: Forked | None = None) -> dict[str, Any]:
    """Draw each sector's shortfall as bars, most severe first; return the PNG and SVG bytes.

    Per sector: the share of tonnes lost with no adaptation, the share of products lost
    where the sector's lines give units, and the share of tonnes lost after rerouting when
    the result was rerouted.

    Parameters
    ----------
    result
        A scenario result (:func:`supplygraph.analyses.exposure.simulate`).
    drawer
        A process started by :func:`chart_drawer` (matplotlib imported there while the
        result was computed): the chart is drawn there, beside the other reports, and
        each file comes as a function that returns its bytes (the same bytes).

    Returns
    -------
    dict of str to bytes (or to functions returning bytes, with ``drawer``)
        ``sectors.png`` and ``sectors.svg``.
    """
    return _drawn("sectors", _sector_bars(result), drawer)


def chart_drawer() -> Forked:
    """Start a process that imports matplotlib now and draws one chart (the sector
    chart, or a dated run's) once :func:`sector_chart` or :func:`timeline_chart` sends it
    the figures (where ``fork`` is available; else the chart is drawn in this process, as
    without it).

    Returns
    -------
    supplygraph.outputs.fork.Forked
        The process, for the ``drawer`` of those functions; close it when done.
    """
    return Forked(_draw_when_sent, inbox=True)


def _draw_when_sent(receive: Callable[[], tuple[str, dict[str, Any]]]) -> dict[str, bytes]:
    """In the drawing process: import what drawing needs, then draw the chart received."""
    from importlib import import_module

    for name in ("backends.backend_agg", "backends.backend_svg", "figure", "layout_engine"):
        import_module(f"matplotlib.{name}")
    stem, job = receive()
    return _DRAWS[stem](**job)


def _drawn(stem: str, job: dict[str, Any], drawer: Forked | None) -> dict[str, Any]:
    """Draw chart ``stem`` from ``job`` here, or send it to ``drawer`` and return its
    files as functions that wait for the bytes (or draw here if the drawer failed)."""
    if drawer is None:
        return _DRAWS[stem](**job)
    drawer.send((stem, job))

    def file(name: str) -> Callable[[], bytes]:
        return lambda: drawer.result(lambda: _DRAWS[stem](**job))[name]

    return {name: file(name) for name in (f"{stem}.png", f"{stem}.svg")}


def _sector_bars(result: Result) -> dict[str, Any]:
    """The sector chart's bars, labels and title, as :func:`_bar_chart` takes them."""
    sectors = result.sectors.sort_values(
        ["shortfall_pct", "sector"], ascending=[False, True], kind="stable"
    )
    series = [("shortfall_pct", "tonnes lost, no adaptation")]
    if sectors["shortfall_units_pct"].notna().any():
        series.append(("shortfall_units_pct", "products lost, no adaptation"))
    if "shortfall_reroute_pct" in sectors:
        series.append(("shortfall_reroute_pct", "tonnes lost, after rerouting"))
    bars = [(label, sectors[column].to_numpy(float)) for column, label in series]
    # the bands (simulate --draws): P10-P90 error bars on the no-adaptation bars
    errors = [
        (
            (sectors[f"{column}_p10"].to_numpy(float), sectors[f"{column}_p90"].to_numpy(float))
            if f"{column}_p10" in sectors
            else None
        )
        for column, _ in series
    ]
    scenario = result.scenario
    return {
        "sectors": list(sectors["sector"]),
        "bars": bars,
        "title": f"Shortfall by sector: {scenario.title or scenario.name}",
        "missing": "no units",
        "errors": errors,
    }


def compare_chart(tables: dict[str, pd.DataFrame], a: str, b: str) -> dict[str, bytes]:
    """Draw each sector's shortfall under scenario A beside B; return the PNG and SVG bytes.

    Parameters
    ----------
    tables
        A comparison (:func:`supplygraph.analyses.compare.compare_results`); sectors keep its order
        (largest increase from A to B first).
    a, b
        The two scenarios' names, shown in the title and the legend.

    Returns
    -------
    dict of str to bytes
        ``compare.png`` and ``compare.svg``.
    """
    sectors = tables["sectors"]
    bars = [
        (f"A: {a}", sectors["shortfall_pct_a"].to_numpy(float)),
        (f"B: {b}", sectors["shortfall_pct_b"].to_numpy(float)),
    ]
    if "shortfall_reroute_pct_a" in sectors:
        bars += [
            (f"A: {a}, after rerouting", sectors["shortfall_reroute_pct_a"].to_numpy(float)),
            (f"B: {b}, after rerouting", sectors["shortfall_reroute_pct_b"].to_numpy(float)),
        ]
    return _bar_chart(
        "compare",
        list(sectors["sector"]),
        bars,
        title=f"Shortfall by sector: {a} (A) vs {b} (B)",
        missing="-",
    )


def _bar_chart(
    stem: str,
    sectors: list[str],
    bars: list[tuple[str, Any]],
    *,
    title: str,
    missing: str,
    errors: list[Any] | None = None,
) -> dict[str, bytes]:
    """Draw grouped horizontal bars, one group per sector, the first on top.

    Each bar has its value written beside it, or ``missing`` where it has none; where
    ``errors`` gives a bar's (P10, P90) arrays, an error bar spans them.
    """
    height = 0.8 / len(bars)
    errors = errors or [None] * len(bars)

    def draw(figure: Any, axes: Any) -> None:
        for k, (label, values) in enumerate(bars):
            rows = [i + (k - (len(bars) - 1) / 2) * height for i in range(len(sectors))]
            axes.barh(rows, values, height=height, label=label, color=PALETTE[k % len(PALETTE)])
            if errors[k] is not None:
                low, high = errors[k]
                shown = ~(np.isnan(values) | np.isnan(low) | np.isnan(high))
                span = [
                    np.clip(values - low, 0, None)[shown],
                    np.clip(high - values, 0, None)[shown],
                ]
                axes.errorbar(
                    values[shown],
                    np.asarray(rows)[shown],
                    xerr=span,
                    fmt="none",
                    ecolor="#333333",
                    elinewidth=0.8,
                    capsize=2,
                )
            right = values if errors[k] is None else np.fmax(values, errors[k][1])
            for row, value, end in zip(rows, values, right):
                text = missing if math.isnan(value) else f"{value:.1f}%"
                axes.text((0 if math.isnan(value) else end) + 1, row, text, va="center", fontsize=7)
        axes.set_yticks(range(len(sectors)), [sector_label(s) for s in sectors])
        axes.invert_yaxis()  # the most severe sector on top
        axes.set_xlim(0, 112)
        axes.set_xlabel("shortfall, % of baseline")
        axes.set_title(textwrap.fill(title, 80), fontsize=10)
        axes.grid(axis="x", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        axes.legend(loc="lower right", fontsize=8, frameon=True)

    size = (8, 1.2 + 0.22 * len(bars) * len(sectors) + 0.1 * len(sectors))
    return draw_chart(stem, size, draw)


def draw_chart(
    stem: str,
    size: tuple[float, float],
    draw: Callable[[Any, Any], None],
    *,
    svg_text: bool = True,
    bottom: float = 0.0,
) -> dict[str, bytes]:
    """Draw one chart with the charts' settings; return ``<stem>.png`` and ``<stem>.svg``.

    The one place that sets matplotlib's options (:data:`RC`) and saves a chart: the files
    carry no dates and have the same bytes on every run.

    Parameters
    ----------
    stem
        The file names' stem.
    size
        The figure's width and height in inches (at 100 dpi).
    draw
        Draws the chart: called with the figure and its axes, inside the settings; the
        layout is tightened after it.
    svg_text
        Keep text as text in the SVG (searchable, smaller); else draw it as glyph outlines,
        as the timeline and Monte Carlo charts always have.
    bottom
        The share of the figure's height kept free below the chart (for a caption).

    Returns
    -------
    dict of str to bytes
        The PNG and SVG files by name.
    """
    # a Figure on the Agg canvas, not pyplot: no figure manager to keep or close, and a
    # third of a second less of import on every command that draws (docs/performance.md)
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import TightLayoutEngine

    with matplotlib.rc_context({**RC, **(SVG_TEXT if svg_text else {})}):
        figure = Figure(figsize=size, dpi=100)
        FigureCanvasAgg(figure)
        axes = figure.subplots()
        draw(figure, axes)
        # figure.tight_layout's once, without leaving an engine on the figure that makes
        # each savefig lay it out again (an extra pass over every text: same bytes)
        TightLayoutEngine(rect=(0, bottom, 1, 1)).execute(figure)
        files = {}
        for suffix, metadata in (("png", {"Software": None}), ("svg", {"Date": None})):
            buffer = io.BytesIO()
            figure.savefig(buffer, format=suffix, metadata=metadata)
            files[f"{stem}.{suffix}"] = buffer.getvalue()
    return files


def timeline_chart(timeline: Timeline, *, drawer: Forked | None = None) -> dict[str, Any]:
    """Draw each sector's output (% of baseline, by tonnes) per day, with the dates on
    which regimes and approval paths change marked, and the band down to the applicant's
    run when there is one; return the PNG and SVG bytes.

    The files are the same bytes on every run: no timestamps, a fixed SVG id salt.

    Parameters
    ----------
    timeline
        A dated run (:func:`supplygraph.analyses.timeline.simulate_days`).
    drawer
        A process started by :func:`chart_drawer`: the chart is drawn there, and each file
        comes as a function that returns its bytes (the same bytes).

    Returns
    -------
    dict of str to bytes (or to functions returning bytes, with ``drawer``)
        ``timeline.png`` and ``timeline.svg``.
    """
    sectors = timeline.sectors
    if sectors.columns.empty:  # a run on a part of the graph without makers (--focus)
        return {}
    layout = timeline_layout(timeline)
    lines = []
    for name in layout["short"]:
        group = sectors[sectors["sector"] == name]
        lines.append(
            tuple(
                group[column].to_numpy() if column in group else None
                for column in ("output_pct", "best_output_pct", "applicant_output_pct")
            )
        )
    ylabel = "output, % of baseline (t); dashed: after rerouting"
    if timeline.applicant is not None:
        ylabel += f"\nshaded: down to the applicant at {timeline.applicant.quantile:g}"
    job = {
        "dates": timeline.dates,
        "lines": [(layout["labels"][name], *line) for name, line in zip(layout["short"], lines)],
        "steady": layout["never_short"],
        "changes": list(layout["changes"]),
        "ylim": layout["ylim"],
        "ylabel": ylabel,
        "title": f"{timeline.scenario.title or timeline.scenario.name}",
        "caption": layout["caption"],
    }
    return _drawn("timeline", job, drawer)


def _timeline_lines(
    dates: list[Any],
    lines: list[tuple[str, Any, Any, Any]],
    steady: list[str],
    changes: list[Any],
    ylim: tuple[float, float],
    ylabel: str,
    title: str,
    caption: list[str],
) -> dict[str, bytes]:
    """Draw the dated run's chart: per sector that falls short, its label and its output,
    best case and applicant's output (each None where the run has none)."""

    def draw(figure: Any, axes: Any) -> None:
        for k, (label, output, best, applicant) in enumerate(lines):
            colour = PALETTE[k % len(PALETTE)]
            axes.plot(dates, output, label=label, color=colour, linewidth=1.6)
            if best is not None:
                axes.plot(dates, best, color=colour, linewidth=0.9, linestyle="--")
            if applicant is not None:  # the band down to the applicant's run
                axes.fill_between(dates, applicant, output, color=colour, alpha=0.18, linewidth=0)
        if steady:  # seven lines on top of each other at 100% read as one
            axes.plot([], [], " ", label=textwrap.fill("never short: " + ", ".join(steady), 28))
        from matplotlib.dates import date2num

        for k, day in enumerate(changes, 1):
            axes.axvline(day, color="#888888", linewidth=0.7, linestyle=":")
            axes.annotate(
                str(k),
                (date2num(day), 1),
                xycoords=axes.get_xaxis_transform(),  # at the top, whatever the scale
                xytext=(2, -2),
                textcoords="offset points",
                fontsize=7,
                color="#555555",
                va="top",
            )
        axes.set_ylim(*ylim)
        axes.set_ylabel(ylabel)
        axes.set_title(title, fontsize=10)
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
        figure.autofmt_xdate()
        if caption:
            figure.text(0.01, 0.01, "\n".join(caption), fontsize=7, color="#555555")

    height = 4.8 + 0.13 * len(caption)
    free = (0.13 * len(caption) + 0.05) / height
    return draw_chart("timeline", (9, height), draw, svg_text=False, bottom=free)


def timeline_layout(timeline: Timeline) -> dict[str, Any]:
    """What the dated run's chart shows, decided before drawing: the sectors that fall
    short (a line each, labelled with their lowest figures) and those that never do (one
    legend entry: seven lines on top of each other at 100% read as one), the y range (from
    just below the lowest figure to just above 100%, so that a 1% dip shows) and the dates
    on which anything changes (numbered on the chart, named under it: labels along the
    lines ran into each other and into the title).

    Parameters
    ----------
    timeline
        A dated run.

    Returns
    -------
    dict
        ``short`` (sector ids), ``labels`` (their legend labels), ``never_short`` (labels),
        ``lowest`` (per sector, over every figure drawn), ``ylim``, ``changes`` (date to
        what changes) and ``caption`` (its lines).
    """
    sectors = timeline.sectors
    figures = [c for c in ("output_pct", "best_output_pct", "applicant_output_pct") if c in sectors]
    by_sector = sectors.groupby("sector", sort=True)
    lowest = by_sector[figures].min().min(axis=1)
    short = [name for name, low in lowest.items() if low < NEVER_SHORT_PCT]
    labels = {}
    for name in short:
        mean = by_sector["output_pct"].min()[name]
        text = f"{sector_label(name)} (lowest {mean:.1f}%"
        if "applicant_output_pct" in sectors:
            text += f"; applicant {by_sector['applicant_output_pct'].min()[name]:.1f}%"
        labels[name] = text + ")"
    low = float(lowest[short].min()) if short else 99.0
    span = max(100.0 - low, 1.0)
    changes: dict[Any, list[str]] = {}
    for day, what in timeline.change_dates:
        if what not in changes.setdefault(day, []):  # two policies may share a path
            changes[day].append(what)
    events = "; ".join(
        f"({k}) {day}: {', '.join(whats)}" for k, (day, whats) in enumerate(changes.items(), 1)
    )
    return {
        "short": short,
        "labels": labels,
        "never_short": [sector_label(name) for name in lowest.index if name not in short],
        "lowest": lowest,
        "ylim": (max(0.0, low - 0.08 * span), 100 + 0.08 * span),
        "changes": changes,
        "caption": textwrap.wrap(events, 150),
    }


def stock_keys(records: pd.DataFrame) -> pd.Series:
    """Name each row's product line as ``node line`` (the node alone for a line without a
    name), as the stock chart's legend does.

    Parameters
    ----------
    records
        A dated run's daily records (``Timeline.records``).

    Returns
    -------
    pandas.Series
        One name per row.
    """
    key = records["node"].astype(str) + " " + records["line"].astype(str).str.strip()
    return key.str.strip()


def stock_used(records: pd.DataFrame) -> pd.Series:
    """Rank the product lines whose stock ran down by the share of their first day's cover
    they used at the lowest: the lines the stock chart and the page show.

    Parameters
    ----------
    records
        A dated run's daily records (``Timeline.records``).

    Returns
    -------
    pandas.Series
        The share used (0 to 1) by line name (:func:`stock_keys`), of the lines that used
        some, most first (by name on ties).
    """
    cover = records.assign(key=stock_keys(records))
    start = cover.groupby("key", sort=True)["cover_days"].first()
    lowest = cover.groupby("key", sort=True)["cover_days"].min()
    fall = ((start - lowest) / start.where(start > 0)).fillna(0)  # share of the cover used
    return fall[fall > 0].sort_values(ascending=False, kind="stable")


def stock_chart(records: pd.DataFrame, *, lines: int = 6) -> dict[str, bytes]:
    """Draw the stock cover of the product lines whose stocks ran down most, day by day
    (solid), with their output (dotted, right axis): a stock running down and refilling.

    Parameters
    ----------
    records
        A dated run's daily records (``Timeline.records``).
    lines
        How many lines to draw: those that used the largest share of their cover, first by
        node and line on ties.

    Returns
    -------
    dict of str to bytes
        ``timeline-stock.png`` and ``timeline-stock.svg``.
    """
    import pandas as pd

    cover = records.assign(key=stock_keys(records))
    chosen = stock_used(records).index[:lines]
    dates = pd.to_datetime(cover["date"].drop_duplicates()).dt.date.to_list()

    def draw(figure: Any, axes: Any) -> None:
        right = axes.twinx()
        for k, name in enumerate(chosen):
            colour = PALETTE[k % len(PALETTE)]
            rows = cover[cover["key"] == name]
            axes.plot(dates, rows["cover_days"].to_numpy(), color=colour, label=name)
            right.plot(dates, rows["output_pct"].to_numpy(), color=colour, linestyle=":")
        axes.set_ylabel("stock cover, days (solid)")
        right.set_ylabel("output, % of baseline (dotted)")
        axes.set_ylim(bottom=0)
        right.set_ylim(bottom=0)
        axes.set_title("Stocks running down and refilling", fontsize=10)
        if len(chosen):
            axes.legend(loc="upper left", bbox_to_anchor=(1.08, 1), fontsize=8, frameon=False)
        figure.autofmt_xdate()

    return draw_chart("timeline-stock", (9, 4.8), draw, svg_text=False)


def montecarlo_chart(result: MonteCarlo) -> dict[str, bytes]:
    """Draw each sector's shortfall (% of tonnes) as its P5-P95 range with the P50 and
    the scenario's own figure; return the PNG and SVG bytes (the same bytes every run).

    Parameters
    ----------
    result
        A Monte Carlo run (:func:`supplygraph.analyses.montecarlo.montecarlo`).

    Returns
    -------
    dict of str to bytes
        ``montecarlo.png`` and ``montecarlo.svg``.
    """
    summary = result.summary.iloc[::-1]
    rows = range(len(summary))

    def draw(figure: Any, axes: Any) -> None:
        low, high = summary["p5_shortfall_pct"], summary["p95_shortfall_pct"]
        axes.barh(rows, high - low, left=low, height=0.5, color=PALETTE[5], label="P5-P95")
        axes.scatter(summary["p50_shortfall_pct"], rows, color=PALETTE[0], zorder=3, label="P50")
        axes.scatter(
            summary["scenario_shortfall_pct"],
            rows,
            marker="|",
            s=200,
            color=PALETTE[3],
            zorder=4,
            label="scenario as given",
        )
        axes.set_yticks(list(rows), [sector_label(s) for s in summary["sector"]])
        axes.set_xlim(0, 100)
        axes.set_xlabel("shortfall, % of the sector's rare-earth tonnes (worst case)")
        axes.set_title(
            f"{result.scenario.name}: {result.n_draws:,} draws, seed {result.seed}", fontsize=9
        )
        axes.legend(loc="lower right", fontsize=8)

    return draw_chart("montecarlo", (8, 0.45 * len(summary) + 1.6), draw, svg_text=False)


# the charts a drawer (chart_drawer) draws, by file stem: functions of the job sent
_DRAWS: dict[str, Callable[..., dict[str, bytes]]] = {
    "sectors": partial(_bar_chart, "sectors"),
    "timeline": _timeline_lines,
}
