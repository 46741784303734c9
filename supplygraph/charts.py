"""Charts as PNG and SVG: each sector's output over a dated run, regime dates marked."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from .schema import sector_label

if TYPE_CHECKING:
    from .timeline import Timeline

# Okabe-Ito: distinct for colour-blind readers.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


def timeline_chart(timeline: Timeline) -> dict[str, bytes]:
    """Draw each sector's output (% of baseline, by tonnes) per day, with the dates on
    which regimes and approval paths change marked; return the PNG and SVG bytes.

    The files are the same bytes on every run: no timestamps, a fixed SVG id salt.

    Parameters
    ----------
    timeline
        A dated run (:func:`supplygraph.timeline.simulate_days`).

    Returns
    -------
    dict of str to bytes
        ``timeline.png`` and ``timeline.svg``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sectors = timeline.sectors
    with matplotlib.rc_context({"svg.hashsalt": "supplygraph", "font.size": 9}):
        figure, axes = plt.subplots(figsize=(9, 4.8), dpi=100)
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
        axes.set_ylabel("output, % of baseline (t); dashed: after rerouting")
        axes.set_title(f"{timeline.scenario.title or timeline.scenario.name}", fontsize=10)
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
        figure.autofmt_xdate()
        figure.tight_layout()
        files = {}
        for suffix, metadata in (("png", {"Software": None}), ("svg", {"Date": None})):
            buffer = io.BytesIO()
            figure.savefig(buffer, format=suffix, metadata=metadata)
            files[f"timeline.{suffix}"] = buffer.getvalue()
        plt.close(figure)
    return files
