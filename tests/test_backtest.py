"""The backtest: series from the pro-rata mean, stoppages for the mean and the last applicant."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from graphs import make_graph

from supplygraph.analyses.backtest import run_backtest, shift_stocks
from supplygraph.scenario.parse import LicencePolicy, Scenario

START = dt.date(2025, 5, 1)


def queue_case():
    # a Chinese magnet maker ships Dy-grade magnets (365 t/yr, 1 t a day) to a US carmaker
    # that holds 2 days of them; two days at sea; approvals 0.6 from day 0, 0.26 from day 3,
    # 1.0 from day 6
    graph = make_graph(
        {
            "c": {"stage": "magnet", "country": "CN"},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "US", "stock_days": 2},
        },
        [("c", "k", "ndfeb_sintered", 365, {"elements": "Dy"})],
    )
    approvals = pd.DataFrame(
        {
            "path": "p",
            "destination": "",
            "from": ["2025-05-01", "2025-05-04", "2025-05-07"],
            "share": [0.6, 0.26, 1.0],
        }
    )
    transit = pd.DataFrame({"origin": ["*"], "destination": ["*"], "days": [2.0]})
    policy = LicencePolicy("CN-2025-18", approvals="p")
    scenario = Scenario("queue", licences=(policy,), start=START, end=dt.date(2025, 5, 31))
    observed = pd.DataFrame(
        {"series": "cn-magnet-exports-us", "month": ["2024-avg", "2025-05"], "value": [31, 20]}
    )
    events = pd.DataFrame(
        {
            "event": ["k stops", "k restarts"],
            "node": "k",
            "line": "",
            "kind": ["first_loss", "recovery"],
            "date": ["2025-05-05", "2025-05-09"],
            "earliest": ["2025-05-01", "2025-05-08"],
            "latest": ["2025-05-06", "2025-05-10"],
        }
    )
    return graph, scenario, approvals, transit, observed, events


def test_stoppages_are_dated_for_the_mean_and_the_last_applicant():
    result = run_backtest(*queue_case())
    # Mean: arrivals 0.6 t on days 2-4, 0.26 on days 5-7, 1 from day 8; the stock (2 t)
    # falls 1.6, 1.2, 0.8, 0.06, so output is 0.32 on day 6 (7 May) and 0.26 on day 7, back
    # on day 8 (9 May). Last applicant: nothing departs before day 6, nothing arrives on
    # days 2-7; the stock carries days 2-3, the carmaker stops on day 4 (5 May) to day 7
    by_event = result.events.set_index("event")
    assert by_event.loc["k stops", ["modelled", "days_off", "pass"]].tolist() == [
        "2025-05-07",
        2,
        False,
    ]
    assert by_event.loc[
        "k stops", ["last_applicant_modelled", "last_applicant_days_off"]
    ].tolist() == ["2025-05-05", 0]
    assert by_event.loc["k stops", "last_applicant_pass"]
    assert by_event.loc["k restarts", ["modelled", "last_applicant_modelled"]].tolist() == [
        "2025-05-09",
        "2025-05-09",
    ]
    # The series adds up every applicant: the mean's May shipments, 0.6 x 3 + 0.26 x 3 +
    # 1 x 25 = 27.58 t of a 31 t baseline month; the observed 20 of 31
    row = result.series.iloc[0]
    assert row["modelled_share"] == pytest.approx(27.58 / 31)
    assert row["observed_share"] == pytest.approx(20 / 31)


def test_a_month_the_replay_does_not_reach_is_no_check():
    graph, scenario, approvals, transit, observed, events = queue_case()
    # trade apply adds every month of the statistics: December 2024 is before the replay
    earlier = pd.DataFrame({"series": ["cn-magnet-exports-us"], "month": ["2024-12"], "value": [9]})
    result = run_backtest(
        graph, scenario, approvals, transit, pd.concat([observed, earlier]), events
    )
    assert result.series["month"].tolist() == ["2025-05"]


def test_a_stock_shift_moves_every_cover_and_the_default_but_not_below_zero():
    graph, scenario, *tables = queue_case()
    later, shifted = shift_stocks(graph, scenario.with_changes(default_stock_days=5), 1)
    # the carmaker's 2 days become 3; the magnet maker has none of its own (NaN): it takes
    # the scenario's default, 5 + 1 = 6
    assert later.nodes.set_index("id")["stock_days"].fillna(-1).to_dict() == {"c": -1, "k": 3}
    assert shifted.default_stock_days == 6
    earlier, shifted = shift_stocks(graph, scenario, -7)
    assert earlier.nodes.set_index("id").loc["k", "stock_days"] == 0  # 2 - 7, at least 0
    assert shifted.default_stock_days == 0
    # the last applicant gets nothing on days 2-7: 3 days of stock carry days 2-4 and the
    # carmaker stops on day 5 (6 May), a day later than with 2 days
    result = run_backtest(later, scenario, *tables)
    assert result.events.set_index("event").loc["k stops", "last_applicant_modelled"] == (
        "2025-05-06"
    )


def series_case(normal: list[float]):
    # the queue case with every application approved (the path at 1 all May) and the flow
    # a range of no width (365-365 t/yr): every draw ships 31 t in May, a share of exactly
    # 1 of the 31 t baseline month; ``normal`` are months of the baseline's year (2024)
    graph, scenario, approvals, transit, observed, events = queue_case()
    graph = make_graph(
        {
            "c": {"stage": "magnet", "country": "CN"},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "US", "stock_days": 2},
        },
        [
            (
                "c",
                "k",
                "ndfeb_sintered",
                365,
                {"elements": "Dy", "flow_t_low": 365.0, "flow_t_high": 365.0},
            )
        ],
    )
    approvals = approvals.assign(share=1.0)
    months = pd.DataFrame(
        {
            "series": "cn-magnet-exports-us",
            "month": [f"2024-{m:02d}" for m in range(1, len(normal) + 1)],
            "value": normal,
        }
    )
    return graph, scenario, approvals, transit, pd.concat([observed, months]), events


def test_a_normal_month_varies_as_the_baseline_years_months_did():
    # two normal months, 27.9 and 34.1 t of a 31 t average: shares 0.9 and 1.1, each
    # equally likely in a draw; the model's share is 1 in every draw, so the band's values
    # are 0.9 and 1.1 about half the draws each: P10 = 0.9, P90 = 1.1, width 0.2 (a draw
    # count of 200 puts about 100 on each side, far from the 20 and 180 the P10 and P90
    # read); the observed 20 of 31 = 0.645 stays outside
    result = run_backtest(*series_case([27.9, 34.1]), draws=200, seed=3, shifts=(1.0,))
    row = result.series.set_index("month").loc["2025-05"]
    assert row["band_p10"] == pytest.approx(0.9)
    assert row["band_p90"] == pytest.approx(1.1)
    assert row["width"] == pytest.approx(0.2)
    assert not row["inside"]
    # the months of the baseline's year are part of it, not checks
    assert result.series["month"].tolist() == ["2025-05"]
    # without variation (months at the average, shares of exactly 1) the bands are those of
    # the run without the months, value for value
    flat = run_backtest(*series_case([31.0, 31.0, 31.0]), draws=40, seed=3, shifts=(1.0,))
    none = run_backtest(*series_case([]), draws=40, seed=3, shifts=(1.0,))
    columns = ["band_p10", "band_p50", "band_p90", "width", "inside"]
    pd.testing.assert_frame_equal(flat.series[columns], none.series[columns])
    assert none.series.loc[0, "band_p10"] == pytest.approx(1.0)


def test_zero_variation_on_a_queue_gives_todays_bands_and_a_seed_its_bytes():
    # the queue case (0.6, 0.26, 1.0), one application per edge: draws ship 25, 28 or 31
    # days of May by their place; months of the baseline year at the average give each
    # draw's share x 1.0, the same bands; the same seed gives the same series, a variation
    # of two months too (independent places, A35: the destination's common draw off)
    graph, scenario, approvals, transit, observed, events = queue_case()
    one = {"draws": 60, "seed": 5, "applications": 1, "destination_rho": 0.0}
    at_average = pd.DataFrame(
        {"series": "cn-magnet-exports-us", "month": ["2024-11", "2024-12"], "value": [31, 31]}
    )
    varied = at_average.assign(value=[27.9, 34.1])
    plain = run_backtest(*queue_case(), **one)
    flat = run_backtest(
        graph, scenario, approvals, transit, pd.concat([observed, at_average]), events, **one
    )
    pd.testing.assert_frame_equal(plain.series, flat.series)
    tables = (graph, scenario, approvals, transit, pd.concat([observed, varied]), events)
    once = run_backtest(*tables, **one).series
    again = run_backtest(*tables, **one).series
    assert once.to_csv().encode() == again.to_csv().encode()
    assert once.loc[0, "width"] > plain.series.loc[0, "width"]  # the variation widens it


def with_total(tables, before: float, after: float):
    # the issuer's total (the path's source) in May 2024 and May 2025
    *rest, observed, events = tables
    total = pd.DataFrame(
        {"series": "cn-magnet-exports", "month": ["2024-05", "2025-05"], "value": [before, after]}
    )
    return (*rest, pd.concat([observed, total]), events)


def test_the_totals_level_above_a_year_before_multiplies_a_month_and_is_no_check():
    # every draw ships a share of exactly 1 in May (series_case); the total shipped 25 t in
    # May 2025 against 20 t in May 2024: a level of 25 / 20 = 1.25, so the central share
    # and every draw's are 1.25 (no normal months, no shift): P10 = P50 = P90 = 1.25, width
    # 0; the total itself is not a check
    tables = with_total(series_case([]), 20.0, 25.0)
    result = run_backtest(*tables, draws=40, seed=3, shifts=(1.0,))
    assert result.series["series"].tolist() == ["cn-magnet-exports-us"]
    row = result.series.iloc[0]
    assert row["modelled_share"] == pytest.approx(1.25)
    assert (row["band_p10"], row["band_p50"], row["band_p90"]) == pytest.approx((1.25,) * 3)
    assert row["width"] == pytest.approx(0.0)
    # a total below its year-earlier month is the path already: level 1, share 1
    below = run_backtest(*with_total(series_case([]), 20.0, 15.0), draws=40, seed=3, shifts=(1.0,))
    assert below.series.loc[0, "band_p90"] == pytest.approx(1.0)


def test_a_destinations_shift_or_its_reciprocal_multiplies_the_months_with_a_level():
    # one shift, 2.0: each draw's factor is 2.0 or 1 / 2.0, equally likely; every draw's
    # share is 1 (series_case) and the total's level 25 / 20 = 1.25, so about half the draws
    # are 1.25 x 0.5 = 0.625 and half 1.25 x 2.0 = 2.5 (200 draws: far from the 20 and 180
    # the percentiles read): P10 = 0.625, P90 = 2.5, width 1.875; the observed 20 / 31 =
    # 0.645 is inside; the same seed gives the same bytes
    tables = with_total(series_case([]), 20.0, 25.0)
    result = run_backtest(*tables, draws=200, seed=3, shifts=(2.0,), destination_rho=0.0)
    row = result.series.iloc[0]
    assert (row["band_p10"], row["band_p90"]) == pytest.approx((0.625, 2.5))
    assert row["width"] == pytest.approx(1.875)
    assert row["inside"]
    again = run_backtest(*tables, draws=200, seed=3, shifts=(2.0,), destination_rho=0.0)
    assert result.series.to_csv().encode() == again.series.to_csv().encode()
    # a month without a level (the total not above a year before: the path binds, and the
    # queue's common draw of a destination carries its spread) takes no shift: share 1
    below = with_total(series_case([]), 20.0, 15.0)
    none = run_backtest(*below, draws=200, seed=3, shifts=(2.0,), destination_rho=0.0)
    assert none.series.loc[0, "width"] == pytest.approx(0.0)
    assert none.series.loc[0, "band_p50"] == pytest.approx(1.0)
