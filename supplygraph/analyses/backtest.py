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
from ..scenario.uncertainty import Range
from .bands import APPLICATIONS, BAND, DESTINATION_RHO, Bands, simulate_bands
from .timeline import Timeline, simulate_days

MAGNETS = ("ndfeb_sintered", "ndfeb_bonded", "smco_magnet")  # HS 8505.11: permanent magnets
SERIES_TOLERANCE = 0.25  # a month's modelled share within 25% of the observed one is a pass
LAST_APPLICANT = 1.0  # the worst-placed applicant: set by the model, never fitted to a check
# The month factors' own stream (data/SOURCES.md, "A series month's normal level varies"):
# apart from every draw's (``spawn_key=(d,)``), so the other draws are the run's without it.
VARIATION_KEY = (0, 26)
# A destination's share of the total moves (data/SOURCES.md, "A destination's share of China's
# exports moves", A42): the growth over the total's of the destinations the sources name in
# months when the path was at 1 (Germany, South Korea, Vietnam in September 2025, the EU in
# November), never the checked series'; drawn with their reciprocals, one a series and draw.
SHIFTS = (1.279 / 1.175, 1.845 / 1.175, 1.183 / 1.175, 1.595 / 1.283)
SHIFT_KEY = (0, 27)  # the shifts' own stream, apart from every other draw
# The interval score's alpha: a P10-P90 band is a central 80% interval (BAND)
INTERVAL_ALPHA = (100 - (BAND[2] - BAND[0])) / 100


@dataclass(frozen=True, eq=False)
class Backtest:
    """Modelled against observed: monthly series (as shares of baseline) and dated events."""

    timeline: Timeline
    series: pd.DataFrame
    events: pd.DataFrame
    bands: Bands | None = None  # the draws, when asked: each check's band beside it
    summary: pd.DataFrame | None = None  # calibration and sharpness, per kind of check


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


def normal_months(observed: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return each series' normal months as shares of its baseline: the months of its year.

    A series' baseline (the row whose month is ``YYYY-avg``) is the average of the months
    of its year; those months, divided by it, are how a normal month varies around the
    average (data/SOURCES.md, "A series month's normal level varies"). They are part of
    the baseline, never checks.

    Parameters
    ----------
    observed
        The observed series (``observed.csv``: series, month, value).

    Returns
    -------
    dict of str to numpy.ndarray
        Series -> its months' values over its baseline, in month order; a series with no
        month of its baseline's year is left out.

    Examples
    --------
    >>> import pandas as pd
    >>> observed = pd.DataFrame({"series": "s", "month": ["2024-avg", "2024-12", "2024-11",
    ...                          "2025-05"], "value": [50.0, 60.0, 40.0, 10.0]})
    >>> normal_months(observed)["s"].tolist()
    [0.8, 1.2]
    """
    ratios = {}
    for name, group in observed.groupby("series", sort=True):
        normal, baseline = _normal_months(group)
        if normal.any():
            value = group[normal].sort_values("month")["value"].to_numpy(float)
            ratios[name] = value / baseline
    return ratios


def _normal_months(group: pd.DataFrame) -> tuple[np.ndarray, float]:
    """Which of one series' rows are months of its baseline's year, and its baseline (NaN
    and none when it has no baseline row)."""
    month = group["month"].to_numpy(str)
    average = np.char.endswith(month, "avg")
    if not average.any():
        return np.zeros(len(month), bool), np.nan
    year = month[average][0][:4]
    normal = group["month"].str.fullmatch(rf"{year}-[0-9]{{2}}").to_numpy(bool)
    return normal, float(group["value"].to_numpy(float)[average][0])


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


def levels(observed: pd.DataFrame, total: str) -> dict[str, float]:
    """Return the total's level in each month it exceeds the same month a year before.

    The approval path is the total's month over the same month of the year before, capped
    at 1; a series compares customs tonnes, which follow the total above 1 too
    (data/SOURCES.md, "A destination's share of China's exports moves"). The level is that
    ratio where it is above 1, and 1 elsewhere (the path holds it there).

    Parameters
    ----------
    observed
        The observed series (``observed.csv``: series, month, value).
    total
        The name of the total's series (the path's source, never a check).

    Returns
    -------
    dict of str to float
        Month (``YYYY-MM``) -> level, for the total's months above their year-earlier ones.

    Examples
    --------
    >>> import pandas as pd
    >>> observed = pd.DataFrame({"series": "t", "month": ["2024-07", "2025-07", "2024-05",
    ...                          "2025-05"], "value": [100.0, 115.0, 100.0, 30.0]})
    >>> levels(observed, "t")
    {'2025-07': 1.15}
    """
    rows = observed[observed["series"] == total]
    value = dict(zip(rows["month"], rows["value"].astype(float), strict=True))
    out = {}
    for month, tonnes in sorted(value.items()):
        before = f"{int(month[:4]) - 1}{month[4:]}"
        if month[4:] != "-avg" and before in value and tonnes > value[before]:
            out[month] = tonnes / value[before]
    return out


def run_backtest(
    graph: SupplyGraph,
    scenario: Scenario,
    approvals: pd.DataFrame,
    transit: pd.DataFrame,
    observed: pd.DataFrame,
    events: pd.DataFrame,
    *,
    draws: int = 0,
    seed: int = 0,
    plants: dict[str, int] | None = None,
    applications: int | Range = APPLICATIONS,
    destination_rho: float = DESTINATION_RHO,
    sole_sourcing: bool = True,
    scheduler: str | None = None,
    workers: int | None = None,
    shifts: tuple[float, ...] = SHIFTS,
) -> Backtest:
    """Replay a dated scenario and compare it with observed series and events.

    A series is compared as a share of its baseline, month by month: the modelled tonnes
    shipped in the month over the baseline daily rate x the month's days, against the
    observed month over its observed baseline (the row whose month ends in ``avg``); the
    series adds up every applicant, so the pro-rata mean run is its model, times the
    total's level where the total shipped more than a year before (:func:`levels`; the
    total's own series is the path's source, never a check). An observed
    month on no day of the replay is not a check, and is left out, nor is a month of the
    baseline's year (part of the baseline: :func:`normal_months`). An event is a
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
    draws, seed
        With ``draws`` above 0, also run that many draws of the dated run
        (:func:`supplygraph.analyses.bands.simulate_bands`: ranges, queue places, plants
        within aggregates) and judge every check by its band: the P10-P90 of the draws,
        whether the observed value lies inside, and the band's width; ``summary`` gives
        the coverage and the median width per kind of check. A series month's share in
        a draw is multiplied by one of its normal months, each equally likely, and by
        one of ``shifts`` or their reciprocals, one for all of the series' months that
        have a level (:func:`levels`: the path at 1; below it the queue's common draw
        of a destination, ``destination_rho``, carries its spread).
    plants
        Aggregate id -> count of plants (``plants.csv``), for the draws.
    applications
        Applications per licence edge (or piece) in the draws' queue, or their range (the
        queue's grain: :data:`supplygraph.analyses.bands.APPLICATIONS`).
    destination_rho
        How much one buyer country's places in the queue move together in the draws
        (:data:`supplygraph.analyses.bands.DESTINATION_RHO`; 0: independent places).
    sole_sourcing
        Each plant takes an input from as few suppliers as the tonnes allow (A43); False:
        an equal part of every supplier (``simulate_bands``).
    scheduler, workers
        Run the draws on a Dask cluster.
    shifts
        How far a destination's exports may move against the total's, as ratios above 1
        (:data:`SHIFTS`); ``(1.0,)`` for none.

    Returns
    -------
    Backtest
    """
    masks = magnet_exports(graph)
    total = next(iter(masks))  # the issuer's total: the path's source, never a check
    wanted = {
        name: masks[name] for name in set(observed["series"]) if name in masks and name != total
    }
    timeline = simulate_days(
        graph, scenario, approvals, transit, track=wanted, applicant=LAST_APPLICANT
    )
    level = levels(observed, total)
    series, checked = _series(timeline, observed, wanted, level, total), _events(timeline, events)
    if draws <= 0:
        return Backtest(timeline, series, checked)
    bands = simulate_bands(
        graph,
        scenario,
        approvals,
        transit,
        draws=draws,
        seed=seed,
        plants=plants,
        applications=applications,
        destination_rho=destination_rho,
        sole_sourcing=sole_sourcing,
        track=wanted,
        scheduler=scheduler,
        workers=workers,
    )
    shift = np.concatenate([shifts, np.divide(1.0, shifts)])
    series = _series_bands(series, bands, timeline, wanted, normal_months(observed), level, shift)
    checked = _event_bands(checked, bands, events)
    return Backtest(timeline, series, checked, bands, _calibration(series, checked))


def _series_bands(
    series: pd.DataFrame,
    bands: Bands,
    timeline: Timeline,
    masks: dict,
    normal: dict,
    level: dict,
    shift: np.ndarray,
) -> pd.DataFrame:
    """Each series month's band over the draws (shares of baseline), inside or not, width.

    In each draw a month's share, times the total's level, is multiplied by one of the
    series' normal months (shares of its baseline, :func:`normal_months`), each equally
    likely, drawn for each month and draw on its own stream (a series without them keeps
    its share), and, in a month with a level, by one of ``shift``, equally likely, drawn
    once per series and draw on a stream of its own."""
    if series.empty:
        return series
    month_of_day = np.array([d.isoformat()[:7] for d in bands.dates])
    flow = timeline.graph.edges["flow_t"].to_numpy()
    rng = np.random.default_rng(np.random.SeedSequence(bands.seed, spawn_key=VARIATION_KEY))
    moves = np.random.default_rng(np.random.SeedSequence(bands.seed, spawn_key=SHIFT_KEY))
    draws = len(bands.exports[series["series"].iloc[0]])
    factor = {name: moves.choice(shift, size=draws) for name in sorted(set(series["series"]))}
    low, mid, high = [], [], []
    for row in series.itertuples(index=False):
        days = month_of_day == row.month
        shipped = bands.exports[row.series][:, days].sum(axis=1)  # per draw
        base = flow[masks[row.series]].sum() / 365 * days.sum()
        share = shipped / base
        if row.month in level:  # the path at 1: the destination's shift (below 1: A39's draw)
            share = share * level[row.month] * factor[row.series]
        if row.series in normal:
            share = share * rng.choice(normal[row.series], size=len(share))
        values = np.percentile(share, BAND, method="inverted_cdf")
        low.append(values[0])
        mid.append(values[1])
        high.append(values[2])
    out = series.copy()
    out["band_p10"], out["band_p50"], out["band_p90"] = low, mid, high
    seen = out["observed_share"]
    out["inside"] = (out["band_p10"] <= seen) & (seen <= out["band_p90"])
    out["width"] = out["band_p90"] - out["band_p10"]  # in shares of baseline
    out["interval_score"] = interval_score(seen, out["band_p10"], out["band_p90"])
    return out


def interval_score(observed: Any, low: Any, high: Any) -> Any:
    """Return the interval score of a P10-P90 band: its width plus 10 times any miss.

    Gneiting and Raftery's (2007) proper score for a central interval at level ``1 -
    alpha`` (here 0.8, so ``2 / alpha = 10``): ``high - low + 10 * (low - observed)`` when
    the observed value is below the band, ``+ 10 * (observed - high)`` when above, the
    width alone when inside. Lower is better; it weighs calibration against sharpness, so
    a band cannot score well by being wide nor by being narrow and wrong.

    Parameters
    ----------
    observed, low, high
        The observed values and the bands' P10 and P90 (numbers or arrays of one shape).

    Returns
    -------
    float or array
        The score, in the units of the values.

    Examples
    --------
    >>> round(interval_score(0.68, 0.89, 1.89), 6)  # 1.00 wide, 0.21 below: 1.00 + 10 x 0.21
    3.1
    >>> round(interval_score(1.0, 0.8, 1.71), 6)  # inside: the width
    0.91
    """
    observed, low, high = (np.asarray(v, dtype=float) for v in (observed, low, high))
    below = np.clip(low - observed, 0.0, None)
    above = np.clip(observed - high, 0.0, None)
    score = (high - low) + (2 / INTERVAL_ALPHA) * (below + above)
    return score if score.ndim else float(score)


def _event_bands(checked: pd.DataFrame, bands: Bands, events: pd.DataFrame) -> pd.DataFrame:
    """Each event's band: the first plant's date P10-P90 over the draws (empty: never in
    that share of draws), inside or not, and the width in days (empty when open-ended)."""
    lines = bands.lines.set_index(["node", "line"]) if len(bands.lines) else None
    rows = []
    for row in events.itertuples(index=False):
        key = (row.node, row.line)
        kind = "first_loss" if row.kind == "first_loss" else "recovery"
        found = lines is not None and key in lines.index
        dates = [lines.loc[key, f"{kind}_p{q}"] if found else "" for q in BAND]
        low, mid, high = dates
        inside = bool(low) and low <= row.date and (not high or row.date <= high)
        if not high:  # the P90 draw never stops: the band is open to the right
            inside = bool(low) and low <= row.date
        width = (
            (dt.date.fromisoformat(high) - dt.date.fromisoformat(low)).days
            if low and high
            else None
        )
        rows.append(
            {
                "band_p10": low or "none",
                "band_p50": mid or "none",
                "band_p90": high or "none",
                "inside": inside,
                "width_days": width,
            }
        )
    out = pd.concat([checked.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
    out["width_days"] = out["width_days"].astype("Int64")
    return out


def _calibration(series: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Coverage (share of checks inside their P10-P90 band) and the median width, per kind
    of check and over all; an open-ended event band counts as infinitely wide. The series'
    mean interval score (:func:`interval_score`); the events have none, their bands being
    open-ended dates."""
    rows = []
    kinds = (
        ("series", series["inside"].to_numpy(bool), series["width"].to_numpy(float), "share"),
        (
            "events",
            events["inside"].to_numpy(bool),
            events["width_days"].astype("float").fillna(np.inf).to_numpy(),
            "days",
        ),
    )
    for name, inside, width, unit in kinds:
        rows.append(
            {
                "checks": name,
                "count": len(inside),
                "inside": int(inside.sum()),
                "coverage_pct": float(100 * inside.mean()) if len(inside) else np.nan,
                "median_width": float(np.median(width)) if len(width) else np.nan,
                "width_unit": unit,
                "mean_interval_score": (
                    float(series["interval_score"].mean())
                    if name == "series" and len(series)
                    else np.nan
                ),
            }
        )
    every = np.concatenate([k[1] for k in kinds])
    rows.append(
        {
            "checks": "all",
            "count": len(every),
            "inside": int(every.sum()),
            "coverage_pct": float(100 * every.mean()) if len(every) else np.nan,
            "median_width": np.nan,
            "width_unit": "",
            "mean_interval_score": np.nan,
        }
    )
    return pd.DataFrame(rows)


def _series(
    timeline: Timeline, observed: pd.DataFrame, masks: dict, level: dict, total: str
) -> pd.DataFrame:
    # months as YYYY-MM text and days from the calendar: pandas' timestamps end in 2262
    month_of_day = np.array([d.isoformat()[:7] for d in timeline.dates])
    rows = []
    for name, group in observed.groupby("series", sort=True):
        if name == total:
            continue  # the path's source, not a check
        normal, base = _normal_months(group)
        months = group[~group["month"].str.endswith("avg").to_numpy(bool) & ~normal]  # checks
        shipped = np.asarray(timeline.exports.get(name, np.zeros(len(month_of_day))))
        if name in masks:
            daily_base = timeline.graph.edges["flow_t"].to_numpy()[masks[name]].sum() / 365
        else:
            daily_base = np.nan
        for row in months.itertuples(index=False):
            in_month = shipped[month_of_day == row.month]
            if not len(in_month):  # a month the replay does not reach (trade apply adds many)
                continue
            year, month = (int(part) for part in row.month.split("-"))
            days = calendar.monthrange(year, month)[1]
            modelled = in_month.sum() / (daily_base * days) if len(in_month) == days else np.nan
            modelled *= level.get(row.month, 1.0)
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
