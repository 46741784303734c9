"""The licence rule: regimes on dates, and which edges need a licence."""

from __future__ import annotations

import datetime as dt

import pytest
from graphs import licence_graph, make_graph

from supplygraph.dataset.io import load_regimes
from supplygraph.dataset.origin import origin_share
from supplygraph.scenario.licence import licence_edges, regime_state, regimes_by_id

REGIMES = regimes_by_id(load_regimes())


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
        # the customs holds' last day is 30 June 2025 (ends): in force then, not the day after
        ("CN-2025-18-CUSTOMS", "2025-06-30", True, "in force on 2025-06-30"),
        ("CN-2025-18-CUSTOMS", "2025-07-01", False, "no longer in force on 2025-07-01 (ended"),
        ("CN-HYPO-ALL", "2020-01-01", True, "hypothetical"),
    ],
)
def test_regime_state_on_dates(regime, date, in_force, reason):
    state, why = regime_state(REGIMES[regime], dt.date.fromisoformat(date))
    assert state is in_force
    assert reason in why


def test_suspension_can_be_ignored():
    state, _ = regime_state(REGIMES["CN-2025-57"], dt.date(2025, 11, 15), ignore_suspensions=True)
    assert state is True


def test_an_ended_regime_stays_ended_when_suspensions_are_ignored_or_without_a_date():
    holds = REGIMES["CN-2025-18-CUSTOMS"]
    assert regime_state(holds, dt.date(2025, 7, 1), ignore_suspensions=True)[0] is False
    # as announced (no date), No. 57 is in force despite its suspension; the holds are not
    assert regime_state(REGIMES["CN-2025-57"], None)[0] is True
    assert regime_state(holds, None) == (False, "no longer in force (ended 2025-06-30)")


def test_the_customs_holds_reach_every_magnet_export_and_nothing_else():
    graph = make_graph(
        {
            "cn": {"stage": "magnet", "country": "CN"},
            "de": {"stage": "component", "country": "DE"},
            "cn2": {"stage": "component", "country": "CN"},
        },
        [
            ("cn", "de", "ndfeb_sintered", 10, {"elements": "Nd;Pr"}),  # Nd/Pr-only grade
            ("cn", "de", "ndfeb_bonded", 10, {"elements": "Nd;Pr"}),
            ("cn", "de", "smco_magnet", 10, {"elements": "Sm"}),
            ("cn", "de", "ndpr_oxide", 10, {"elements": "Nd;Pr"}),  # not a magnet
            ("cn", "cn2", "ndfeb_sintered", 10, {"elements": "Nd;Pr"}),  # not an export
        ],
    )
    mask = licence_edges(graph, REGIMES["CN-2025-18-CUSTOMS"])
    assert mask.tolist() == [True, True, True, False, False]


def test_no_regime_in_force_on_1_march_2025():
    assert not any(
        regime_state(r, dt.date(2025, 3, 1))[0] for r in REGIMES.values() if not r.hypothetical
    )


def test_licence_edges_are_derived_from_country_and_elements():
    graph = licence_graph()
    mask = licence_edges(graph, REGIMES["CN-2025-18"])
    assert mask.tolist() == [True, False, False, True, False, True]
    # No. 57 (Ho, Er, Tm, Eu, Yb) catches none of these flows
    assert not licence_edges(graph, REGIMES["CN-2025-57"]).any()
    # the hypothetical all-elements regime catches every export, not the domestic flow
    assert licence_edges(graph, REGIMES["CN-HYPO-ALL"]).tolist() == [
        True,
        True,
        False,
        True,
        False,
        False,
    ]


def test_destinations_restrict_licence_edges():
    mask = licence_edges(licence_graph(), REGIMES["CN-2025-18"], destinations=("US",))
    assert mask.tolist() == [False, False, False, True, False, True]


def test_extraterritorial_licence_edges_honour_the_licence_column():
    # JP magnet plant makes magnets from Chinese oxide (100% Chinese content) and ships Dy-bearing
    # magnets to DE (caught), to US (exempted in the data) and NdPr-only magnets to KR (no
    # controlled element, but added to No. 61 by the licence column); magnets are in No. 61's
    # Annex 1 Part II (the regime's materials)
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
            ("jp", "de", "ndfeb_sintered", 4, {"elements": "Nd;Dy"}),
            ("jp", "us", "ndfeb_sintered", 3, {"elements": "Nd;Dy", "licence": "exempt"}),
            ("jp", "kr", "ndfeb_sintered", 3, {"elements": "Nd", "licence": "+CN-2025-61"}),
        ],
    )
    # the direct export cn -> jp is No. 18's business, not No. 61's
    seller_content_pct = (origin_share(graph, "CN") * 100)[graph.edges["src"]]
    mask = licence_edges(graph, REGIMES["CN-2025-61"], seller_content_pct)
    assert mask.tolist() == [False, True, False, True]


def test_a_general_licence_takes_its_shipments_out_of_the_queue(tmp_path):
    from supplygraph.scenario.parse import LicencePolicy, Scenario, load_scenario
    from supplygraph.scenario.resolve import resolve

    graph = make_graph(
        {"cn1": {"country": "CN"}, "cn2": {"country": "CN"}, "jp": {"country": "JP"}},
        [
            ("cn1", "jp", "oxide", 100, {"elements": "Dy"}),
            ("cn2", "jp", "oxide", 100, {"elements": "Dy"}),
        ],
    )
    policy = LicencePolicy("CN-2025-18", "throttle", 0.5, general_licence="from=cn1")
    # both edges carry Dy out of China: licence edges under No. 18 at 0.5; cn1's go under a
    # general licence and ship in full, cn2's keep the policy's 0.5
    shares = resolve(graph, Scenario("g", as_of=dt.date(2025, 12, 2), licences=(policy,)))
    assert shares.edge_share.tolist() == [1.0, 0.5]
    plain = LicencePolicy("CN-2025-18", "throttle", 0.5)
    assert resolve(graph, Scenario("p", licences=(plain,))).edge_share.tolist() == [0.5, 0.5]
    # written in a scenario file; a node selector is refused with its key
    path = tmp_path / "g.toml"
    path.write_text(
        '[[licences]]\nregime = "CN-2025-18"\naction = "throttle"\nshare = 0.5\n'
        'general_licence = "from=cn1"\n'
    )
    assert load_scenario(str(path)).licences[0].general_licence == "from=cn1"
    path.write_text('[[licences]]\nregime = "CN-2025-18"\ngeneral_licence = "node:id=cn1"\n')
    with pytest.raises(Exception, match=r"licences\[0\]\.general_licence|general_licence"):
        load_scenario(str(path))
