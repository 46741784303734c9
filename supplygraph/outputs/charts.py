"""Charts as PNG and SVG: the sector table, a comparison, a dated run, a Monte Carlo run."""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dataset.schema import sector_label

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
SVG_TEXT = {"svg.fonttype": "none"}  # text stays text in the SVG, not glyph outlines


def sector_chart(result: Result) -> dict[str, bytes]:
    """Draw each sector's shortfall as bars, most severe first; return the PNG and SVG bytes.

    Per sector: the share of tonnes lost with no adaptation, the share of products lost
    where the sector's lines give units, and the share of tonnes lost after rerouting when
    the result was rerouted.

    Parameters
    ----------
    result
        A scenario result (:func:`supplygraph.analyses.exposure.simulate`).

    Returns
    -------
    dict of str to bytes
        ``sectors.png`` and ``sectors.svg``.
    """
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
    return _bar_chart(
        "sectors",
        list(sectors["sector"]),
        bars,
        title=f"Shortfall by sector: {scenario.title or scenario.name}",
        missing="no units",
        errors=errors,
    )


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
    stem: str, size: tuple[float, float], draw: Callable[[Any, Any], None], *, svg_text: bool = True
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

    Returns
    -------
    dict of str to bytes
        The PNG and SVG files by name.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({**RC, **(SVG_TEXT if svg_text else {})}):
        figure, axes = plt.subplots(figsize=size, dpi=100)
        try:
            draw(figure, axes)
            figure.tight_layout()
            files = {}
            for suffix, metadata in (("png", {"Software": None}), ("svg", {"Date": None})):
                buffer = io.BytesIO()
                figure.savefig(buffer, format=suffix, metadata=metadata)
                files[f"{stem}.{suffix}"] = buffer.getvalue()
        finally:
            plt.close(figure)
    return files


def timeline_chart(timeline: Timeline) -> dict[str, bytes]:
    """Draw each sector's output (% of baseline, by tonnes) per day, with the dates on
    which regimes and approval paths change marked, and the band down to the applicant's
    run when there is one; return the PNG and SVG bytes.

    The files are the same bytes on every run: no timestamps, a fixed SVG id salt.

    Parameters
    ----------
    timeline
        A dated run (:func:`supplygraph.analyses.timeline.simulate_days`).

    Returns
    -------
    dict of str to bytes
        ``timeline.png`` and ``timeline.svg``.
    """
    sectors = timeline.sectors

    def draw(figure: Any, axes: Any) -> None:
        for k, (name, group) in enumerate(sectors.groupby("sector", sort=True)):
            colour = PALETTE[k % len(PALETTE)]
            axes.plot(
                timeline.dates,
                group["output_pct"].to_numpy(),
                label=sector_label(name),
                color=colour,
                linewidth=1.6,
            )
            if "best_output_pct" in group:
                axes.plot(
                    timeline.dates,
                    group["best_output_pct"].to_numpy(),
                    color=colour,
                    linewidth=0.9,
                    linestyle="--",
                )
            if "applicant_output_pct" in group:  # the band down to the applicant's run
                axes.fill_between(
                    timeline.dates,
                    group["applicant_output_pct"].to_numpy(),
                    group["output_pct"].to_numpy(),
                    color=colour,
                    alpha=0.18,
                    linewidth=0,
                )
        changes: dict[object, list[str]] = {}
        for day, what in timeline.change_dates:
            changes.setdefault(day, []).append(what)
        for day, whats in changes.items():
            axes.axvline(day, color="#888888", linewidth=0.7, linestyle=":")
            axes.annotate(
                "; ".join(whats),
                (day, 2),
                rotation=90,
                fontsize=6,
                color="#555555",
                ha="right",
                va="bottom",
            )
        axes.set_ylim(0, 105)
        label = "output, % of baseline (t); dashed: after rerouting"
        if timeline.applicant is not None:
            label += f"\nshaded: down to the applicant at {timeline.applicant.quantile:g}"
        axes.set_ylabel(label)
        axes.set_title(f"{timeline.scenario.title or timeline.scenario.name}", fontsize=10)
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
        figure.autofmt_xdate()

    return draw_chart("timeline", (9, 4.8), draw, svg_text=False)


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
