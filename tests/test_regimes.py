"""Regimes on dates, derived licence edges, selectors and scenario files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from graphs import make_graph

import supplygraph as sg
from supplygraph import ScenarioError
from supplygraph.io import load_regimes
from supplygraph.regimes import licence_edges, regime_state
from supplygraph.scenario import LicencePolicy, Rule, Scenario, resolve, scenario_from_dict
from supplygraph.selectors import parse_selector, select

TINY = Path(__file__).parent / "data" / "tiny"
REGIMES = load_regimes().set_index("id", drop=False)


@pytest.mark.parametrize(
    ("regime", "date", "in_force", "reason"),
    [
        (
            "CN-2025-18",
            "2025-03-01",
            False,
            "not yet in force on 2025-03-01 (effective 2025-04-04)",
        ),
        ("CN-2025-18", "2025-04-04", True, "in force on 2025-04-04"),
        ("CN-2025-18", "2026-11-11", True, "in force on 2026-11-11"),  # No. 70 left No. 18 alone
        ("CN-2025-57", "2025-11-06", False, "not yet in force"),
        ("CN-2025-57", "2025-11-15", False, "suspended from 2025-11-07 to 2026-11-10"),
        ("CN-2025-57", "2026-11-10", False, "suspended"),  # the window's last day is inside
        ("CN-2025-57", "2026-11-11", True, "in force"),
        ("CN-2025-61", "2025-12-01", False, "suspended"),
        ("CN-HYPO-ALL", "2020-01-01", True, "hypothetical"),
    ],
)
def test_regime_state_on_dates(regime, date, in_force, reason):
    state, why = regime_state(REGIMES.loc[regime], dt.date.fromisoformat(date))
    assert state is in_force
    assert reason in why


def test_suspension_can_be_ignored():
    state, _ = regime_state(
        REGIMES.loc["CN-2025-57"], dt.date(2025, 11, 15), ignore_suspensions=True
    )
    assert state is True


def test_no_regime_in_force_on_1_march_2025():
    assert not any(
        regime_state(r, dt.date(2025, 3, 1))[0]
        for _, r in REGIMES.iterrows()
        if r["hypothetical"] != "yes"
    )


def licence_graph():
    return make_graph(
        {
            "cn": {"country": "CN"},
            "cn2": {"country": "CN"},
            "jp": {"country": "JP"},
            "us": {"country": "US"},
        },
        [
            ("cn", "jp", "heavy_oxide", 10, {"elements": "Dy;Tb"}),  # 0: licence edge
            ("cn", "jp", "ndpr_oxide", 90, {"elements": "Nd;Pr"}),  # 1: NdPr not controlled
            ("cn", "cn2", "y_oxide", 5, {"elements": "Y"}),  # 2: domestic
            ("cn", "us", "sm_oxide", 3, {"elements": "Sm"}),  # 3: licence edge
            ("cn", "us", "gd_oxide", 2, {"elements": "Gd", "licence": "exempt"}),  # 4: exempted
            ("jp", "us", "ndpr_metal", 4, {"elements": "Nd", "licence": "+CN-2025-18"}),
        ],  # 5
    )


def test_licence_edges_are_derived_from_country_and_elements():
    graph = licence_graph()
    mask = licence_edges(graph, REGIMES.loc["CN-2025-18"])
    assert mask.tolist() == [True, False, False, True, False, True]
    # No. 57 (Ho, Er, Tm, Eu, Yb) catches none of these flows
    assert not licence_edges(graph, REGIMES.loc["CN-2025-57"]).any()
    # the hypothetical all-elements regime catches every export, not the domestic flow
    assert licence_edges(graph, REGIMES.loc["CN-HYPO-ALL"]).tolist() == [
        True,
        True,
        False,
        True,
        False,
        False,
    ]


def test_destinations_restrict_licence_edges():
    mask = licence_edges(licence_graph(), REGIMES.loc["CN-2025-18"], destinations=("US",))
    assert mask.tolist() == [False, False, False, True, False, True]


def test_resolve_throttles_and_logs():
    graph = licence_graph()
    scenario = Scenario(
        "t",
        as_of=dt.date(2025, 5, 1),
        licences=(
            LicencePolicy("CN-2025-18", "throttle", 0.25),
            LicencePolicy("CN-2025-57", "cut"),
        ),
    )
    disruption = resolve(graph, scenario)
    assert disruption.edge_share.tolist() == [0.25, 1, 1, 0.25, 1, 0.25]
    assert disruption.edge_regimes[0] == ["CN-2025-18"]
    log = {entry["regime"]: entry for entry in disruption.regime_log}
    assert log["CN-2025-18"]["applied"] and log["CN-2025-18"]["licence_edges"] == 3
    assert not log["CN-2025-57"]["applied"]
    assert "not yet in force" in log["CN-2025-57"]["reason"]


def test_overlapping_rules_take_the_smallest_share():
    graph = licence_graph()
    scenario = Scenario(
        "t",
        as_of=dt.date(2025, 5, 1),
        licences=(LicencePolicy("CN-2025-18", "throttle", 0.25),),
        rules=(Rule("dest=JP", "throttle", 0.5),),
    )
    # edge 0 is under both: min(0.25, 0.5) = 0.25, not 0.125; edge 1 only under the rule
    assert resolve(graph, scenario).edge_share.tolist()[:2] == [0.25, 0.5]


def test_selectors_on_edges_and_nodes():
    graph = licence_graph()
    assert select(graph, parse_selector("element=Dy|Sm")).tolist() == [
        True,
        False,
        False,
        True,
        False,
        False,
    ]
    assert select(graph, parse_selector("country=CN,dest=US")).tolist() == [
        False,
        False,
        False,
        True,
        True,
        False,
    ]
    assert select(graph, parse_selector("node:country=CN")).tolist() == [True, True, False, False]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("planet=Mars", "unknown key 'planet' for edges"),
        ("node:dest=US", "unknown key 'dest' for nodes"),
        ("country", "is not key=value"),
        ("country=", "is not key=value"),
        ("country=XX", "country=XX matches no edge in the data"),
        ("element=Ho", "element=Ho matches no edge"),
    ],
)
def test_bad_selectors_are_errors(text, message):
    with pytest.raises(ScenarioError, match=message):
        select(licence_graph(), parse_selector(text))


def test_selection_matching_nothing_warns():
    graph = licence_graph()
    disruption = resolve(graph, Scenario("t", rules=(Rule("country=JP,dest=JP"),)))
    assert disruption.warnings == ["rule 'country=JP,dest=JP' matches no edges"]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"titel": "x"}, "unknown key(s) titel"),
        ({"as_of": "May"}, "as_of: not a date"),
        ({"licences": [{"regime": "CN-2025-18", "action": "ban"}]}, "expected cut or throttle"),
        ({"licences": [{"regime": "CN-2025-18", "action": "throttle"}]}, "needs a share"),
        (
            {"licences": [{"regime": "CN-2025-18", "action": "throttle", "share": 1.5}]},
            "needs a share between 0 and 1",
        ),
        ({"licences": [{"regime": "CN-2025-18", "extra": 1}]}, "unknown key(s) extra"),
        ({"licences": [{"regime": "CN-2025-18", "destinations": ["USA"]}]}, "ISO country codes"),
        ({"rules": [{"select": "planet=Mars"}]}, "unknown key 'planet'"),
        ({"rules": {"select": "country=CN"}}, "expected an array of tables"),
        ({"extraterritorial": "yes"}, "expected true or false"),
        ({"default_stock_days": -3}, "expected a number >= 0"),
        ({"capacity": [{"select": "country=AU", "spare": 0.2}]}, "spare capacity is for nodes"),
        ({"capacity": [{"select": "node:country=AU", "spare": -0.2}]}, "spare: expected a share"),
        ({"capacity": [{"select": "node:country=AU"}]}, "spare: expected a share"),
        ({"capacity": [{"select": "node:country=AU", "spare": 0.2, "x": 1}]}, "unknown key(s) x"),
    ],
)
def test_bad_scenarios_are_errors(doc, message):
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(doc, name="bad", path="bad.toml")
    assert message in str(caught.value) and str(caught.value).startswith("bad.toml: ")


def test_spare_capacity_assumptions_replace_the_data_in_order():
    graph = licence_graph()
    doc = {
        "capacity": [
            {"select": "node:country=CN", "spare": 0.5},
            {"select": f"node:id={graph.nodes['id'][0]}", "spare": 0.1},
        ]
    }
    disruption = resolve(graph, scenario_from_dict(doc, name="spare"))
    base, country = graph.baseline_t, graph.nodes["country"].to_numpy()
    # CN nodes get 1.5 x baseline, the first node (CN) 1.1 x: the later assumption wins
    expected = np.where(country == "CN", 1.5 * base, np.nan)
    expected[0] = 1.1 * base[0]
    np.testing.assert_allclose(disruption.capacity_t, expected)


def test_unknown_regime_is_an_error():
    scenario = Scenario("t", licences=(LicencePolicy("CN-1999-01"),))
    with pytest.raises(ScenarioError, match="unknown regime 'CN-1999-01'"):
        resolve(licence_graph(), scenario)


def test_bad_toml_is_an_error(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("title = \n")
    with pytest.raises(ScenarioError, match=r"broken\.toml"):
        sg.load_scenario(path)


def test_every_bundled_scenario_parses_with_description_and_sources():
    from supplygraph.scenario import list_scenarios

    scenarios = {s.name: s for s in list_scenarios()}
    assert set(scenarios) >= {
        "2025-04-heavy-licences",
        "2025-10-package",
        "2025-11-truce",
        "2026-11-lapse",
        "us-only",
        "myanmar-closure",
        "full-embargo",
    }
    for scenario in scenarios.values():
        assert len(scenario.description) > 100, scenario.name
        assert scenario.sources, scenario.name


def test_extraterritorial_switch_is_reported():
    graph = sg.load(TINY)
    scenario = Scenario(
        "t",
        licences=(LicencePolicy("CN-2025-61", "cut"),),
        ignore_suspensions=True,
        extraterritorial=False,
    )
    disruption = resolve(graph, scenario)
    assert np.all(disruption.edge_share == 1)
    assert "extraterritorial rule switched off" in disruption.regime_log[0]["reason"]


def test_extraterritorial_licence_edges_honour_the_licence_column():
    # JP magnet plant makes magnets from Chinese oxide (100% Chinese content) and ships Dy-bearing
    # magnets to DE (caught), to US (exempted in the data) and NdPr-only magnets to KR (no
    # controlled element, but added to No. 61 by the licence column)
    graph = make_graph(
        {
            "cn": {"country": "CN"},
            "jp": {"country": "JP", "stage": "magnet"},
            "de": {"country": "DE"},
            "us": {"country": "US"},
            "kr": {"country": "KR"},
        },
        [
            ("cn", "jp", "oxide", 10, {"elements": "Nd;Dy"}),
            ("jp", "de", "magnet", 4, {"elements": "Nd;Dy"}),
            ("jp", "us", "magnet", 3, {"elements": "Nd;Dy", "licence": "exempt"}),
            ("jp", "kr", "magnet", 3, {"elements": "Nd", "licence": "+CN-2025-61"}),
        ],
    )
    # the direct export cn -> jp is No. 18's business, not No. 61's
    assert licence_edges(graph, REGIMES.loc["CN-2025-61"]).tolist() == [False, True, False, True]
