"""Why lines fall short: limiting inputs, suppliers and the roots each sector names."""

from __future__ import annotations

from graphs import make_graph

import supplygraph as sg
from supplygraph.scenario.parse import Rule, Scenario

MAKER = {"stage": "manufacturer", "country": "DE"}


def cut(*selectors: str) -> Scenario:
    return Scenario("t", rules=tuple(Rule(s) for s in selectors))


def bottlenecks(graph, scenario) -> dict[str, str]:
    sectors = sg.simulate(graph, scenario, reroute=False).sectors
    return dict(zip(sectors["sector"], sectors["bottlenecks"]))


def test_a_root_that_feeds_several_sectors_weighs_its_whole_withheld_tonnage():
    # maker m has a wind line and a semiconductor line; c1 ships it 100 t of magnets for
    # both lines (split equally: 50 t each), c2 80 t for the wind line only; both are cut
    graph = make_graph(
        {"c1": {"country": "CN"}, "c2": {"country": "CN"}, "m": MAKER},
        [("c1", "m", "magnet", 100), ("c2", "m", "magnet", 80, {"line": "wind"})],
        lines=[
            {"node": "m", "line": "wind", "sector": "wind"},
            {"node": "m", "line": "semi", "sector": "semiconductors"},
        ],
    )
    found = bottlenecks(graph, cut("from=c1", "from=c2"))
    # wind: c1 withholds 100 t (all of it, not the 50 t its wind part carries), c2 80 t
    assert found["wind"] == "c1 (rule); c2 (rule)"
    assert found["semiconductors"] == "c1 (rule)"


def test_a_node_that_is_down_weighs_all_the_output_it_loses():
    # plant o makes 30 t on line x for the wind maker w and 70 t on line y for the
    # semiconductor maker s; mine q ships w another 50 t; o is down and q's edge is cut
    graph = make_graph(
        {
            "q": {"country": "CN"},
            "o": {"country": "JP"},
            "w": {**MAKER, "sector": "wind"},
            "s": {**MAKER, "sector": "semiconductors"},
        },
        [
            ("q", "w", "magnet", 50),
            ("o", "w", "magnet", 30, {"from_line": "x"}),
            ("o", "s", "magnet", 70, {"from_line": "y"}),
        ],
        lines=[{"node": "o", "line": "x"}, {"node": "o", "line": "y"}],
    )
    found = bottlenecks(graph, cut("node:id=o", "from=q"))
    # wind: o loses 30 + 70 = 100 t (not the 30 t of line x), q withholds 50 t
    assert found["wind"] == "o (outage); q (rule)"
    assert found["semiconductors"] == "o (outage)"


def chain():
    # mine m (120 t of ore) -> separator s (100 t of oxide) -> magnet plant j -> carmaker k
    return make_graph(
        {
            "m": {"stage": "mine", "country": "AU"},
            "s": {"stage": "separation", "country": "CN"},
            "j": {"stage": "magnet", "country": "JP"},
            "k": {**MAKER, "sector": "ev"},
        },
        [("m", "s", "ore", 120), ("s", "j", "oxide", 100), ("j", "k", "magnet", 100)],
    )


def why(graph, scenario):
    nodes = sg.simulate(graph, scenario, reroute=False).nodes.set_index("id")
    return nodes[["limiting_input", "limiting_suppliers", "limiting_regimes"]]


def test_the_causes_walk_past_a_cut_edge_as_the_bottlenecks_do():
    # m is down and s -> j is cut: k would get nothing with either alone, and needs both
    # mended, so both are causes; limiting_regimes and bottlenecks name the same roots
    graph = chain()
    scenario = Scenario("t", rules=(Rule("node:id=m"), Rule("from=s")))
    assert why(graph, scenario).loc["k", "limiting_regimes"] == "outage;rule"
    # m loses its 120 t, s -> j withholds 100 t
    assert bottlenecks(graph, scenario)["ev"] == "m (outage); s (rule)"


def test_the_causes_walk_past_a_throttled_edge_and_a_node_that_is_down():
    # m runs at half, s -> j is throttled to half: k gets 100 x 0.5 x 0.5 = 25 t
    graph = chain()
    half = Scenario(
        "t", rules=(Rule("node:id=m", "throttle", 0.5), Rule("from=s", "throttle", 0.5))
    )
    assert why(graph, half).loc["k", "limiting_regimes"] == "outage;rule"
    # s -> j withholds 100 - 25 = 75 t, m loses 120 x 0.5 = 60 t
    assert bottlenecks(graph, half)["ev"] == "s (rule); m (outage)"
    # j is down and its oxide is cut: both are j's causes
    down = Scenario("t", rules=(Rule("node:id=j"), Rule("from=s")))
    assert why(graph, down).loc["j", "limiting_regimes"] == "outage;rule"


def test_two_equally_short_inputs_are_both_named():
    # k needs oxide (from s1, which is down) and metal (from s2, whose edge is cut): both
    # arrive at 0, so neither limits more than the other; both, and their causes, are named
    graph = make_graph(
        {
            "s1": {"stage": "separation", "country": "CN"},
            "s2": {"stage": "metal", "country": "CN"},
            "k": {**MAKER, "sector": "ev"},
        },
        [("s1", "k", "oxide", 30), ("s2", "k", "metal", 70)],
    )
    scenario = Scenario("t", rules=(Rule("node:id=s1"), Rule("from=s2")))
    assert why(graph, scenario).loc["k"].tolist() == ["metal;oxide", "s1;s2", "outage;rule"]
    # s2 -> k withholds 70 t, s1 loses its 30 t
    assert bottlenecks(graph, scenario)["ev"] == "s2 (rule); s1 (outage)"
    # not a tie: the oxide at 0, the metal at half; the oxide alone limits
    scenario = Scenario("t", rules=(Rule("node:id=s1"), Rule("from=s2", "throttle", 0.5)))
    assert why(graph, scenario).loc["k"].tolist() == ["oxide", "s1", "outage"]
