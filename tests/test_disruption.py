"""Scenario resolution: multipliers per edge and node, and the record of what applied."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from graphs import licence_graph

import supplygraph as sg
from supplygraph import ScenarioError
from supplygraph.scenario.parse import LicencePolicy, Rule, Scenario, scenario_from_dict
from supplygraph.scenario.resolve import resolve, select
from supplygraph.scenario.selectors import parse_selector

TINY = Path(__file__).parent / "data" / "tiny"


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
    log = {entry.regime.id: entry for entry in disruption.regimes}
    assert log["CN-2025-18"].applied and log["CN-2025-18"].licence_edges == 3
    assert not log["CN-2025-57"].applied
    assert "not yet in force" in log["CN-2025-57"].reason


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


def test_selection_matching_nothing_warns():
    graph = licence_graph()
    disruption = resolve(graph, Scenario("t", rules=(Rule("country=JP,dest=JP"),)))
    assert disruption.warnings == ["rule 'country=JP,dest=JP' matches no edges"]


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
    assert "extraterritorial rule switched off" in disruption.regimes[0].reason


def test_in_force_names_every_regime_that_is_not_hypothetical_and_in_force_on_the_date():
    graph = licence_graph()
    policy = LicencePolicy("in-force", "throttle", 0.5)

    def applied(**changes) -> list[str]:
        disruption = resolve(graph, Scenario("t", licences=(policy,), **changes))
        return [entry.regime.id for entry in disruption.regimes]

    # 1 May 2025: No. 18 (from 4 April) and the customs holds (4 April to 30 June); not
    # Nos. 57 and 61 (not yet in force), not the hypothetical CN-HYPO-ALL
    assert applied(as_of=dt.date(2025, 5, 1)) == ["CN-2025-18", "CN-2025-18-CUSTOMS"]
    # 1 December 2025: Nos. 57 and 61 are suspended (No. 70), the holds have ended
    assert applied(as_of=dt.date(2025, 12, 1)) == ["CN-2025-18"]
    assert applied(as_of=dt.date(2025, 12, 1), ignore_suspensions=True) == [
        "CN-2025-18",
        "CN-2025-57",
        "CN-2025-61",
    ]
    # without a date, as announced: every regime that has not ended (CN-2026-1, the ban
    # towards Japan of January 2026, among them)
    assert applied() == ["CN-2025-18", "CN-2025-57", "CN-2025-61", "CN-2026-1"]
    # each takes the policy's share: No. 18's licence edges of licence_graph at 0.5
    disruption = resolve(graph, Scenario("t", licences=(policy,), as_of=dt.date(2025, 5, 1)))
    assert disruption.edge_share.tolist() == [0.5, 1, 1, 0.5, 1, 0.5]
