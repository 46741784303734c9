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
