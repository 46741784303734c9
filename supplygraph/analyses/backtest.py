"""The 2025 backtest: a dated replay set beside what was observed, series and plant events."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..dataset.graph import SupplyGraph
from ..engine.sums import share_pct
from ..scenario.parse import Scenario
from .timeline import Timeline, simulate_days

MAGNETS = ("ndfeb_sintered", "ndfeb_bonded", "smco_magnet")  # HS 8505.11: permanent magnets
SERIES_TOLERANCE = 0.25  # a month's modelled share within 25% of the observed one is a pass
LAST_APPLICANT = 1.0  # the worst-placed applicant: set by the model, never fitted to a check


@dataclass(frozen=True, eq=False)
class Backtest:
    """Modelled against observed: monthly series (as shares of baseline) and dated events."""

    timeline: Timeline
    series: pd.DataFrame
    events: pd.DataFrame


def magnet_exports(graph: SupplyGraph, issuer: str = "CN") -> dict[str, np.ndarray]:
    """Return edge masks of the issuer's magnet exports: in total, and per destination.

    Parameters
    ----------
    graph
        The supply graph.
    issuer
        The exporting country.

    Returns
    -------
    dict of str to numpy.ndarray
        ``cn-magnet-exports`` and ``cn-magnet-exports-XX`` per destination country XX
        (with the issuer's code in lower case in place of ``cn``).
    """
    country = graph.nodes["country"].to_numpy()
    seller = country[graph.edges["src"].to_numpy()]
    buyer = country[graph.edges["dst"].to_numpy()]
    magnet = graph.edges["material"].isin(MAGNETS).to_numpy()
    base = (seller == issuer) & (buyer != issuer) & magnet
    prefix = f"{issuer.lower()}-magnet-exports"
    masks = {prefix: base}
    for destination in sorted(set(buyer[base])):
        masks[f"{prefix}-{destination.lower()}"] = base & (buyer == destination)
    return masks


def shift_stocks(
    graph: SupplyGraph, scenario: Scenario, days: float
) -> tuple[SupplyGraph, Scenario]:
    """Return the graph and scenario with every stock cover moved by ``days``, at least 0.

    A node's own ``stock_days`` and the scenario's default (for nodes without one) both
    move: the sensitivity of the backtest to stocks, never a fit to its checks.

    Parameters
    ----------
    graph
        The supply graph.
    scenario
        The dated scenario.
    days
        Days of cover to add (negative: to take away).

    Returns
    -------
    tuple of (SupplyGraph, Scenario)
        Unchanged when ``days`` is 0.
    """
    if not days:
        return graph, scenario
    nodes = graph.nodes.copy()
    nodes["stock_days"] = (nodes["stock_days"] + days).clip(lower=0)  # NaN: the default's
    default = max(scenario.default_stock_days + days, 0.0)
    return replace(graph, nodes=nodes), scenario.with_changes(default_stock_days=default)


def run_backtest(
    graph: SupplyGraph,
    scenario: Scenario,
    approvals: pd.DataFrame,
    transit: pd.DataFrame,
    observed: pd.DataFrame,
    events: pd.DataFrame,
) -> Backtest:
    """Replay a dated scenario and compare it with observed series and events.

    A series is compared as a share of its baseline, month by month: the modelled tonnes
    shipped in the month over the baseline daily rate x the month's days, against the
    observed month over its observed baseline (the row whose month ends in ``avg``); the
    series adds up every applicant, so the pro-rata mean run is its model. An observed
    month on no day of the replay is not a check, and is left out. An event is a
    line's first loss (output below 99% of baseline) or recovery; it passes when the
    modelled date falls within the event's window (``earliest`` to ``latest``). Each
    event is reported twice: for the mean run (the typical plant) and for the run where
    every licence edge is the last applicant (quantile 1: the plants that waited longest,
    which the first observed stoppages were); no other quantile is tried.

    Parameters
    ----------
    graph
        The supply graph.
    scenario
        The dated scenario to replay (e.g. ``2025-replay``).
    approvals, transit
        The dated tables (:func:`supplygraph.dataset.io.load_dated_tables`).
    observed, events
        The checks (:func:`supplygraph.dataset.io.load_backtest_tables`).

    Returns
    -------
    Backtest
    """
    masks = magnet_exports(graph)
    wanted = {name: masks[name] for name in set(observed["series"]) if name in masks}
    timeline = simulate_days(
        graph, scenario, approvals, transit, track=wanted, applicant=LAST_APPLICANT
    )
    return Backtest(timeline, _series(timeline, observed, wanted), _events(timeline, events))


def _series(timeline: Timeline, observed: pd.DataFrame, masks: dict) -> pd.DataFrame:
    # months as YYYY-MM text and days from the calendar: pandas' timestamps end in 2262
    month_of_day = np.array([d.isoformat()[:7] for d in timeline.dates])
    rows = []
    for name, group in observed.groupby("series", sort=True):
        baseline = group[group["month"].str.endswith("avg")]["value"]
        months = group[~group["month"].str.endswith("avg")]
        shipped = np.asarray(timeline.exports.get(name, np.zeros(len(month_of_day))))
        if name in masks:
            daily_base = timeline.graph.edges["flow_t"].to_numpy()[masks[name]].sum() / 365
        else:
            daily_base = np.nan
        base = float(baseline.iloc[0]) if len(baseline) else np.nan
        for row in months.itertuples(index=False):
            in_month = shipped[month_of_day == row.month]
            if not len(in_month):  # a month the replay does not reach (trade apply adds many)
                continue
            year, month = (int(part) for part in row.month.split("-"))
            days = calendar.monthrange(year, month)[1]
            modelled = in_month.sum() / (daily_base * days) if len(in_month) == days else np.nan
            seen = row.value / base if base > 0 else np.nan  # io refuses a baseline of 0
            rows.append(
                {
                    "series": name,
                    "month": row.month,
                    "observed_t": row.value,
                    "observed_share": seen,
                    "modelled_share": modelled,
                    "miss_pct": float(share_pct(modelled - seen, seen)) if seen else np.nan,
                    "pass": bool(abs(modelled - seen) <= SERIES_TOLERANCE * seen),
                }
            )
    return pd.DataFrame(rows)


def _events(timeline: Timeline, events: pd.DataFrame) -> pd.DataFrame:
    """Each event beside the mean run's date and the last applicant's (``last_applicant_``)."""
    assert timeline.applicant is not None, "the backtest runs the last applicant"
    mean = timeline.lines.set_index(["node", "line"])
    last = timeline.applicant.lines.set_index(["node", "line"])
    rows = []
    for row in events.itertuples(index=False):
        modelled, days_off, inside = _event_in(mean, row)
        last_modelled, last_days_off, last_inside = _event_in(last, row)
        rows.append(
            {
                "event": row.event,
                "node": row.node,
                "line": row.line,
                "kind": row.kind,
                "observed": row.date,
                "modelled": modelled,
                "window": f"{row.earliest} to {row.latest}",
                "days_off": days_off,
                "pass": inside,
                "last_applicant_modelled": last_modelled,
                "last_applicant_days_off": last_days_off,
                "last_applicant_pass": last_inside,
            }
        )
    frame = pd.DataFrame(rows)
    days = ["days_off", "last_applicant_days_off"]  # whole days; empty where none
    frame[days] = frame[days].astype("Int64")
    return frame


def _event_in(lines: pd.DataFrame, event: Any) -> tuple[str, int | None, bool]:
    """One run's date for an event (``none``), its days from the observed, and whether it
    falls in the event's window."""
    key = (event.node, event.line)
    column = "first_loss" if event.kind == "first_loss" else "recovery"
    modelled = lines.loc[key, column] if key in lines.index else ""
    if not modelled:
        return "none", None, False
    gap = (dt.date.fromisoformat(modelled) - dt.date.fromisoformat(event.date)).days
    return modelled, gap, event.earliest <= modelled <= event.latest
