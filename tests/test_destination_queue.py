"""A destination's common draw in the queue (data/SOURCES.md, "Bands of the dated run", A39)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from graphs import make_graph
from scipy.special import ndtr

from supplygraph.analyses.bands import (
    DESTINATION_KEY,
    DESTINATION_RHO,
    destination_places,
    destination_rho,
    draw_rows,
    simulate_bands,
)
from supplygraph.dataset.io import load_destination_months
from supplygraph.scenario.parse import LicencePolicy, Scenario
from supplygraph.scenario.uncertainty import Uncertainty, flow_ranges, stock_ranges

EXACT = Uncertainty(status={"reported": 0.0, "estimate": 0.0, "assumption": 0.0})
TRANSIT = pd.DataFrame({"origin": ["*"], "destination": ["*"], "days": [1.0]})
# No. 18 bites on 4 April 2025 and half the applications are approved from then on
HALF = pd.DataFrame(
    [{"path": "p", "destination": "", "from": "2025-04-04", "share": 0.5}],
    columns=["path", "destination", "from", "share"],
)
SCENARIO = Scenario(
    "two destinations",
    licences=(LicencePolicy("CN-2025-18", approvals="p"),),
    start=dt.date(2025, 4, 1),
    end=dt.date(2025, 4, 30),
)


def two_destinations():
    """A Chinese separator ships Dy oxide, 1 t a day each, to two Japanese and two German
    makers: four licence edges, two destination countries (the nodes' countries sorted:
    CN, DE, JP)."""
    makers = {
        name: {"stage": "manufacturer", "country": country, "sector": "ev", "stock_days": 10}
        for name, country in (("j1", "JP"), ("j2", "JP"), ("d1", "DE"), ("d2", "DE"))
    }
    return make_graph(
        {"cn": {"country": "CN"}, **makers},
        [("cn", name, "oxide", 365, {"elements": "Dy"}) for name in makers],
    )


def shared_inputs(graph, *, seed: int, rho: float, applications: int = 4):
    countries, country = np.unique(
        graph.nodes["country"].to_numpy().astype(str), return_inverse=True
    )
    return SimpleNamespace(
        graph=graph,
        seed=seed,
        flows=flow_ranges(graph.edges, {"assumption": 0.5}),
        stocks=stock_ranges(graph.nodes, {"assumption": 0.5}),
        applications=applications,
        policy_edges=(),
        policy_ranges=(),
        destination_rho=rho,
        destination=country[graph.index.dst],
        n_destinations=len(countries),
    )


def test_rho_is_the_one_the_bundled_destination_months_give():
    months = load_destination_months()
    # the months with a path between 0 and 1 (May 0.26, June 0.62) of three destinations
    # other than the US and Japan; V = 0.891 / 3 = 0.297, rho = V / (1 + V) = 0.229
    assert set(months["destination"]) == {"DE", "IN", "VN"}
    assert round(destination_rho(months), 2) == DESTINATION_RHO == 0.23
    # by hand: May, shares 0.2 and 0.8 (probits -0.8416, 0.8416; mean 0; sum of squares
    # 2 x 0.7083 = 1.4167, one degree of freedom); June one row (no freedom); July at a
    # path of 1 (left out): V = 1.4167, rho = 1.4167 / 2.4167 = 0.5862
    toy = pd.DataFrame(
        {
            "month": ["2025-05", "2025-05", "2025-06", "2025-07"],
            "exports_t": [20.0, 80.0, 10.0, 500.0],
            "normal_t": [100.0, 100.0, 100.0, 100.0],
            "total_share": [0.5, 0.5, 0.6, 1.0],
        }
    )
    assert destination_rho(toy) == pytest.approx(0.5862, abs=1e-4)
    assert destination_rho(toy[toy["month"] != "2025-05"]) == 0.0  # no month of two


def test_places_at_rho_one_and_zero():
    u = np.array([[0.1, 0.7, 0.99], [0.3, 0.3, 0.6]])
    common = np.array([-0.5, 1.2])
    # rho = 1: every application of a destination at Phi(z): Phi(-0.5) = 0.3085, Phi(1.2) = 0.8849
    together = destination_places(u, common, 1.0)
    assert np.allclose(together, [[0.3085] * 3, [0.8849] * 3], atol=1e-4)
    # rho = 0: the places themselves, the same object and bits
    assert destination_places(u, common, 0.0) is u
    # rho = 0.5, u = 0.5: Phi(sqrt(0.5) x 1.2 + 0) = Phi(0.8485) = 0.8019
    assert destination_places(np.array([[0.5]]), np.array([1.2]), 0.5)[0, 0] == pytest.approx(
        0.8019, abs=1e-4
    )


def test_rho_zero_draws_today_s_bits_and_rho_draws_the_copula_of_them():
    graph = two_destinations()
    off = draw_rows(shared_inputs(graph, seed=5, rho=0.0), 1, 3)
    on = draw_rows(shared_inputs(graph, seed=5, rho=0.23), 1, 3)
    for r, d in enumerate(range(1, 4)):
        # today's recipe: per draw, 4 flow places, 5 stock places, then 4 places per edge
        rng = np.random.default_rng(np.random.SeedSequence(5, spawn_key=(d,)))
        rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 5)
        uniform = rng.uniform(0, 1, (4, 4))
        assert np.array_equal(off.queue[r], uniform)
        # with the rule: the destination's normal from its own stream, countries CN, DE, JP
        z = np.random.default_rng(
            np.random.SeedSequence(5, spawn_key=(d, DESTINATION_KEY))
        ).standard_normal(3)
        common = z[[2, 2, 1, 1]]  # the edges' customers: j1, j2 (JP), d1, d2 (DE)
        assert np.array_equal(on.queue[r], destination_places(uniform, common, 0.23))
        # nothing else moves
        assert np.array_equal(on.flow_factor[r], off.flow_factor[r])
        assert np.array_equal(on.stock_factor[r], off.stock_factor[r])
    # draws taken in pieces give the same places (the result does not depend on chunks)
    split = draw_rows(shared_inputs(graph, seed=5, rho=0.23), 2, 2)
    assert np.array_equal(split.queue, on.queue[1:])


def shipped_on(bands, name: str, day: dt.date) -> np.ndarray:
    return bands.exports[name][:, bands.dates.index(day)]


def test_rho_one_ships_each_destination_all_or_none_together():
    graph = two_destinations()
    country = graph.nodes["country"].to_numpy()[graph.index.dst]
    track = {"jp": country == "JP", "de": country == "DE"}
    together = simulate_bands(
        graph, SCENARIO, HALF, TRANSIT, draws=40, seed=2, uncertainty=EXACT, applications=4,
        destination_rho=1.0, track=track,
    )  # fmt: skip
    apart = simulate_bands(
        graph, SCENARIO, HALF, TRANSIT, draws=40, seed=2, uncertainty=EXACT, applications=4,
        destination_rho=0.0, track=track,
    )  # fmt: skip
    day = dt.date(2025, 4, 20)  # half approved since 4 April
    for d in range(40):
        z = np.random.default_rng(
            np.random.SeedSequence(2, spawn_key=(d, DESTINATION_KEY))
        ).standard_normal(3)
        # rho = 1: each of a country's 8 applications sits at Phi(z); with half approved it
        # ships when Phi(z) <= 0.5, i.e. z <= 0: both makers' 1 t a day, or nothing
        for name, k in (("de", 1), ("jp", 2)):
            expected = 2.0 if ndtr(z[k]) <= 0.5 else 0.0
            assert shipped_on(together, name, day)[d] == pytest.approx(expected)
    jp, de = shipped_on(together, "jp", day), shipped_on(together, "de", day)
    assert ((jp == 0) | (jp == 2)).all() and (jp != de).any()  # the two countries apart
    # rho = 0: each edge ships the share of its 4 applications approved, 0 to 1 in quarters,
    # and a country's two edges seldom ship all or none together
    shares = shipped_on(apart, "jp", day) / 2
    assert np.allclose(shares * 8, np.round(shares * 8))
    assert ((shares > 0) & (shares < 1)).mean() > 0.5


def test_same_seed_same_bytes_with_the_rule():
    graph = two_destinations()
    runs = [
        simulate_bands(graph, SCENARIO, HALF, TRANSIT, draws=60, seed=s, destination_rho=0.23)
        for s in (3, 3, 4)
    ]
    assert runs[0].months.to_csv() == runs[1].months.to_csv()
    assert runs[0].lines.to_csv() == runs[1].lines.to_csv()
    assert runs[0].months.to_csv() != runs[2].months.to_csv()
    # the rule on moves the bands of the same seed
    off = simulate_bands(graph, SCENARIO, HALF, TRANSIT, draws=60, seed=3, destination_rho=0.0)
    assert off.months.to_csv() != runs[0].months.to_csv()


def test_a_bad_destination_months_table_is_refused_one_line_per_problem(tmp_path):
    from supplygraph._errors import DataError

    (tmp_path / "destination_months.csv").write_text(
        "destination,month,exports_t,normal_t,total_share,source,status,note\n"
        "XX,2025-05,10,100,0.26,a source,estimate,\n"  # not a country
        "DE,2025-13,10,0,0.26,a source,estimate,\n"  # not a month, a normal of 0
        "DE,2025-06,-1,100,0.62,,guess,\n"  # negative, no source, unknown status
        "DE,2025-06,5,100,0.62,a source,estimate,\n",  # repeated
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        load_destination_months(tmp_path)
    lines = str(caught.value).splitlines()
    where = str(tmp_path / "destination_months.csv")
    assert any(f"{where}:2: destination: invalid ISO country 'XX'" in line for line in lines)
    assert any(f"{where}:3: month: not a month" in line for line in lines)
    assert any(f"{where}:3: normal_t: must be above 0" in line for line in lines)
    assert any(f"{where}:4: exports_t: negative value" in line for line in lines)
    assert any(f"{where}:4: source: missing value" in line for line in lines)
    assert any(f"{where}:4: status: unknown status 'guess'" in line for line in lines)
    assert any(f"{where}:5: month: a second figure of DE for 2025-06" in line for line in lines)


def test_two_plants_of_one_country_wait_together_more_often():
    graph = make_graph(
        {
            "cn": {"country": "CN"},
            "agg": {"stage": "manufacturer", "country": "JP", "sector": "ev", "stock_days": 10},
        },
        [("cn", "agg", "oxide", 365, {"elements": "Dy"})],
    )
    # nothing approved from 4 April, half from 8 April, all from 1 May: a plant whose one
    # application is above 0.5 is short from 15 April (tests/test_bands.py, the aggregate of
    # two). The first plant stops unless both places are at most 0.5. Independent (rho = 0):
    # P = 1 - 1/4 = 75%. Both in Japan with rho = 0.8: the probits are bivariate normal with
    # correlation 0.8, P(both <= 0) = 1/4 + asin(0.8) / (2 pi) = 0.25 + 0.9273 / 6.2832 =
    # 0.3976, so the first plant stops in 60.2% of draws
    half = pd.DataFrame(
        [
            {"path": "p", "destination": "", "from": d, "share": s}
            for d, s in (("2025-04-04", 0.0), ("2025-04-08", 0.5), ("2025-05-01", 1.0))
        ]
    )
    bands = simulate_bands(
        graph, SCENARIO, half, TRANSIT, draws=1200, seed=1, uncertainty=EXACT,
        plants={"agg": 2}, applications=1, destination_rho=0.8,
    )  # fmt: skip
    row = bands.lines.set_index("node").loc["agg"]
    assert abs(row["stop_pct"] - 60.24) < 4.5  # 1,200 draws: a standard error of 1.4 points


def test_only_the_edges_a_licence_reaches_need_the_common_draw(monkeypatch):
    import supplygraph as sg
    import supplygraph.analyses.bands as bands_module
    from supplygraph.dataset.io import load_dated_tables, load_plants

    graph, tables = sg.load(), load_dated_tables()
    scenario = sg.load_scenario("2025-replay")

    def run():
        return simulate_bands(
            graph, scenario, tables.approvals, tables.transit, draws=12, seed=6,
            plants=load_plants(), destination_rho=0.23,
        )  # fmt: skip

    some = run()
    # every edge's places transformed: the same bands, byte for byte (the others' places are
    # never compared with a licensed share below 1)
    monkeypatch.setattr(bands_module, "queued_edges", lambda g, *a, **k: np.arange(g.n_edges))
    every = run()
    for name in ("months", "stoppages", "lines"):
        assert getattr(some, name).to_csv() == getattr(every, name).to_csv()
    for name, shipped in some.exports.items():
        assert np.array_equal(shipped, every.exports[name])


def test_validate_checks_destination_months_csv(tmp_path):
    import shutil

    from cli_helpers import TINY, invoke

    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    months = data / "destination_months.csv"
    header = "destination,month,exports_t,normal_t,total_share,source,status,note\n"
    months.write_text(header + "DE,2025-05,209,1006.1,0.26,Test fixture,estimate,\n")
    assert invoke("validate", "--data", str(data)).exit_code == 0  # a good table passes
    months.write_text(header + "DE,2025-05,209,0,0.26,Test fixture,estimate,\n")
    before = months.read_bytes()
    result = invoke("validate", "--data", str(data))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {months}:2: normal_t: must be above 0",
        "1 error in the data",
    ]
    assert months.read_bytes() == before  # the input is never modified


def test_a_folder_s_own_destination_months_set_rho_on_the_command_line(tmp_path, monkeypatch):
    # the same data twice: as bundled (rho 0.23), and with every destination of a month
    # shipping the month's total share of its normal month: no spread between destinations,
    # so V = 0 and rho = 0, the independent places of the queue without A39
    import shutil

    from cli_helpers import invoke

    import supplygraph.analyses.bands as bands_module

    data = Path(bands_module.__file__).parents[2] / "data"
    bundled, spread_free = tmp_path / "bundled", tmp_path / "spread-free"
    for folder in (bundled, spread_free):
        shutil.copytree(data, folder)
    months = pd.read_csv(spread_free / "destination_months.csv", dtype=str, keep_default_na=False)
    share = months["total_share"].astype(float).clip(upper=1.0)
    months["exports_t"] = (months["normal_t"].astype(float) * share).round(3).astype(str)
    months.to_csv(spread_free / "destination_months.csv", index=False)
    record = tmp_path / "rho.txt"  # the draws run in a forked process: a file, not a list
    real = bands_module.simulate_bands

    def recording(*args, **kwargs):
        with record.open("a") as file:
            file.write(f"{kwargs['destination_rho']}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(bands_module, "simulate_bands", recording)
    args = ["timeline", "-s", "2025-replay", "--to", "2025-07-31", "--draws", "16", "-q"]
    for folder in (bundled, spread_free):
        out = tmp_path / f"{folder.name}-out"
        result = invoke(*args, "--data", str(folder), "--out", str(out))
        assert result.exit_code == 0, result.output
    assert record.read_text().split() == [str(DESTINATION_RHO), "0.0"]
    plants = [
        (tmp_path / f"{name}-out" / "timeline-plants.csv").read_bytes()
        for name in ("bundled", "spread-free")
    ]
    assert plants[0] != plants[1]  # and rho moves the draws
