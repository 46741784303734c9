"""The bundled dataset and scenarios: sourced, consistent, and the exposures they must show."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import supplygraph as sg
from supplygraph.analyses.stats import stage_country_shares
from supplygraph.dataset.io import bundled_data_dir
from supplygraph.scenario.parse import LicencePolicy, Scenario, list_scenarios

SEED_SECTORS = ("ev", "wind", "semiconductors")


@pytest.fixture(scope="module")
def graph():
    return sg.load()


@pytest.fixture(scope="module")
def results(graph):
    return {s.name: sg.simulate(graph, s, reroute=False) for s in list_scenarios()}


def china_share(shares: pd.DataFrame, stage: str) -> float:
    rows = shares[shares["stage"] == stage].set_index("country")
    return float(rows.loc["CN", "share_pct"])


def test_china_shares_match_published_figures(graph):
    shares = stage_country_shares(graph)
    # USGS 2024: 270,000 of 390,000 t REO mined in China = 69%; IEA 2024: 91% of separation
    assert abs(china_share(shares, "mine") - 69) <= 3
    assert abs(china_share(shares, "separation") - 91) <= 3
    # IEA 2024: 94% of sintered NdFeB magnets
    magnets = stage_country_shares(graph, material="ndfeb_sintered")
    assert abs(china_share(magnets, "magnet") - 94) <= 3


def test_size_and_coverage(graph):
    nodes = graph.nodes
    assert graph.n_nodes >= 80 and graph.n_edges >= 150
    assert set(nodes["stage"]) == {
        "mine",
        "separation",
        "metal",
        "magnet",
        "component",
        "manufacturer",
    }
    assert set(nodes["country"]) >= {
        "CN",
        "MM",
        "US",
        "AU",
        "MY",
        "JP",
        "DE",
        "EE",
        "VN",
        "KR",
        "FR",
        "IN",
    }
    makers = nodes[nodes["stage"] == "manufacturer"]
    for sector in SEED_SECTORS:
        of_sector = makers[makers["sector"] == sector]
        assert len(of_sector) >= 4 and of_sector["country"].nunique() >= 3, sector
    assert makers["sector"].nunique() >= 5
    carried = set().union(*graph.edge_elements)
    assert carried >= {"Nd", "Pr", "Dy", "Tb", "La", "Ce", "Y", "Sm", "Gd", "Sc", "Eu"}


def test_every_row_has_a_source_and_status():
    folder = bundled_data_dir()
    for name in ("nodes.csv", "edges.csv"):
        table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        assert (table["source"].str.strip() != "").all(), name
        assert table["status"].isin(["reported", "estimate", "assumption"]).all(), name


def test_no_mass_balance_warnings(graph):
    assert not [w for w in graph.warnings if "mass balance" in w.message]
    assert not [w for w in graph.warnings if "no path" in w.message]


def test_every_scenario_runs_and_is_deterministic(graph, results):
    assert len(results) >= 7
    again = sg.simulate(graph, sg.load_scenario("2025-10-package"), reroute=False)
    pd.testing.assert_frame_equal(again.nodes, results["2025-10-package"].nodes)


def test_full_embargo_exposes_every_seed_sector(results):
    sectors = results["full-embargo"].sectors.set_index("sector")
    for sector in SEED_SECTORS:
        assert sectors.loc[sector, "shortfall_pct"] > 0, sector


def total_shortfall(result) -> float:
    return float(result.sectors["shortfall_t"].sum())


def test_truce_exposes_less_than_the_october_package(results):
    truce, package = results["2025-11-truce"].sectors, results["2025-10-package"].sectors
    assert total_shortfall(results["2025-11-truce"]) < total_shortfall(results["2025-10-package"])
    assert (truce["shortfall_t"].to_numpy() <= package["shortfall_t"].to_numpy() + 1e-9).all()


def test_regimes_in_force_on_1_march_2025_expose_nothing(graph):
    scenario = Scenario(
        "march", as_of=dt.date(2025, 3, 1), licences=(LicencePolicy("in-force", "cut"),)
    )
    result = sg.simulate(graph, scenario, reroute=False)
    assert result.disruption.regimes == ()
    assert (result.nodes["shortfall_t"] == 0).all()


def test_extraterritorial_rule_catches_foreign_edges(graph, results):
    package = results["2025-10-package"]
    caught = package.edges[package.edges["regimes"].str.contains("CN-2025-61")]
    suppliers = graph.nodes.set_index("id").loc[caught["supplier"], "country"]
    assert len(caught) > 0 and (suppliers != "CN").all()
    without = sg.simulate(
        graph,
        sg.load_scenario("2025-10-package").with_changes(extraterritorial=False),
        reroute=False,
    )
    assert total_shortfall(package) >= total_shortfall(without)


def test_myanmar_closure_hits_makers_through_chinese_separation(results):
    nodes = results["myanmar-closure"].nodes.set_index("id")
    mines = nodes[(nodes["country"] == "MM") & (nodes["stage"] == "mine")]
    assert (mines["shortfall_pct"] == 100).all() and (mines["days_to_impact"] == 0).all()
    assert results["myanmar-closure"].sectors["shortfall_t"].sum() > 0


def test_shares_and_days_are_in_range(results):
    for result in results.values():
        nodes = result.nodes
        # a node fully short can read 100.00000000000001 (100 x part / whole in floats)
        assert nodes["shortfall_pct"].between(0, 100 + 1e-9).all()
        days = nodes["days_to_impact"].dropna()
        assert (days >= 0).all()
        # a node with days_to_impact has a shortfall, and the other way round
        assert ((nodes["shortfall_t"] > 1e-9) == nodes["days_to_impact"].notna()).all()
        assert np.isfinite(result.edges["after_t"]).all()


@pytest.fixture(scope="module")
def rerouted(graph):
    names = ("2025-10-package", "2025-11-truce", "full-embargo", "myanmar-closure", "us-only")
    return {name: sg.simulate(graph, sg.load_scenario(name)) for name in names}


def test_rerouting_never_makes_a_sector_worse(rerouted):
    for name, result in rerouted.items():
        sectors = result.sectors
        worse = sectors["shortfall_reroute_t"] > sectors["shortfall_t"] + 1e-6
        assert not worse.any(), (name, sectors[worse])
        nodes = result.nodes
        assert (nodes["after_reroute_t"] >= nodes["after_t"] - 1e-6).all(), name


def test_rerouting_recovers_something_somewhere(rerouted):
    # the bundled data has spare capacity outside China (Lynas, MP, Neo, Solvay, SGI Vina, ...)
    result = rerouted["full-embargo"]
    assert (result.sectors["shortfall_reroute_t"] < result.sectors["shortfall_t"] - 1).any()
    flows = result.rerouting.flows
    # suppliers are named node/line where a node has product lines
    lines = result.production.graph.nodes.set_index("id")
    suppliers = lines.loc[flows["supplier"], "country"]
    assert len(flows) > 0 and (suppliers != "CN").all()  # China's exports are what was cut


# ---------------------------------------------------------------- product lines (issue 12)

HEAVY = {"Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Y", "Sc"}


def test_a_heavy_shortage_cuts_only_what_needs_heavy_rare_earths(graph, results):
    # Myanmar's ionic-clay mines close: flows out of Chinese plants that carry no heavy rare
    # earth keep at least 90% of their tonnage (only what needs Dy/Tb stops, and the light
    # rare earths that came with Myanmar's feed)
    edges = results["myanmar-closure"].edges
    country = graph.nodes.set_index("id")["country"]
    light = edges[
        (edges["supplier"].map(country) == "CN")
        & edges["elements"].map(lambda cell: not HEAVY & set(cell.split(";")))
    ]
    assert len(light) > 20
    assert light["after_t"].sum() >= 0.9 * light["baseline_t"].sum()


def test_every_maker_line_has_units(graph):
    lines = graph.lines.set_index("node")
    makers = graph.nodes.loc[graph.nodes["stage"] == "manufacturer", "id"]
    assert set(makers) <= set(lines.index)
    counted = lines.loc[lines.index.isin(makers)]
    assert (counted["unit"] != "").all()
    assert counted["baseline_units"].notna().all()


def test_sectors_count_units_and_split_by_issuer(results):
    sectors = results["2026-11-lapse"].sectors.set_index("sector")
    for column in ("unit", "baseline_units", "shortfall_units", "shortfall_units_pct"):
        assert sectors[column].notna().all(), column
    assert sectors.loc["ev", "unit"] == "vehicles" and sectors.loc["wind", "unit"] == "MW"
    assert (sectors["issuer"] == "CN").all()
    # Chinese makers lose less than makers elsewhere under China's own regimes
    ev = sectors.loc["ev"]
    assert ev["in_issuer_shortfall_pct"] < ev["outside_issuer_shortfall_pct"]
    assert "automotive" in sectors.index


def test_every_exposed_node_names_its_limiting_input(results):
    for name, result in results.items():
        nodes = result.nodes
        exposed = nodes[nodes["shortfall_pct"] > 0]
        named = (exposed["limiting_input"] != "") | (exposed["limiting_regimes"] == "outage")
        assert named.all(), (name, exposed.loc[~named, "id"].tolist())
        assert (exposed["limiting_regimes"] != "").all(), name


# ---------------------------------------------------------------- issue 24


def test_a_controlled_minor_feed_does_not_stop_unrelated_outputs(results):
    # Solvay's Y/Gd feed and the Japanese metal makers' Dy/Tb inputs are controlled by No. 18;
    # Solvay's La/Ce oxides and Japan's NdPr metal are not, and keep flowing (before issue 24
    # the plants had one line each: a cut of the minor input capped every output)
    edges = results["2025-04-heavy-licences"].edges
    for supplier, material in (
        ("fr-solvay-la-rochelle", "la_ce_oxide"),
        ("jp-re-metal-agg", "ndpr_metal"),
    ):
        rows = edges[(edges["supplier"] == supplier) & (edges["material"] == material)]
        assert len(rows) > 0 and rows["baseline_t"].sum() > 0, supplier
        assert (rows["after_t"] >= rows["baseline_t"] - 1e-6).all(), supplier
    # the controlled outputs of the same plants are still cut
    for supplier, material in (
        ("fr-solvay-la-rochelle", "y_oxide"),
        ("jp-re-metal-agg", "dytb_metal"),
    ):
        rows = edges[(edges["supplier"] == supplier) & (edges["material"] == material)]
        assert (rows["after_t"] < rows["baseline_t"]).any(), supplier


# MOFCOM No. 61, Annex 1 Part II: rare-earth permanent-magnet materials and rare-earth targets
NO_61_ANNEX = {"ndfeb_sintered", "ndfeb_bonded", "smco_magnet"}


def test_no_61_reaches_only_the_items_of_its_annex(graph, results):
    regimes = graph.regimes.set_index("id")
    assert set(regimes.loc["CN-2025-61", "materials"].split(";")) == NO_61_ANNEX
    edges = results["2025-10-package"].edges
    caught = edges[edges["regimes"].str.contains("CN-2025-61")]
    assert len(caught) > 0
    # a ScAl(N) sputtering target (a Part II "rare-earth target") is named on its edge
    assert set(caught["material"]) <= NO_61_ANNEX | {"sc_oxide"}
    # finished goods are not in the annex: before issue 24 the rule caught 28 edges, among
    # them traction motors, actuators, wind generators and HDD motors
    finished = {"traction_motor", "actuator", "actuator_ht", "wind_generator", "hdd_motor"}
    assert not caught["material"].isin(finished).any()


def test_the_2026_japan_ban_reaches_only_chinese_exports_to_japan(graph, results):
    # MOFCOM No. 1 of 2026: dual-use items to Japan (SOURCES.md 11i)
    regime = graph.regimes.set_index("id").loc["CN-2026-1"]
    assert regime["destinations"] == "JP" and regime["effective"] == "2026-01-06"
    edges = results["2026-01-japan"].edges
    caught = edges[edges["regimes"].str.contains("CN-2026-1")]
    country = graph.nodes.set_index("id")["country"]
    assert len(caught) > 0
    assert (caught["supplier"].map(country) == "CN").all()
    assert (caught["customer"].map(country) == "JP").all()
    # not in force before its date
    before = sg.simulate(
        graph,
        sg.load_scenario("2026-01-japan").with_changes(as_of=dt.date(2026, 1, 5)),
        reroute=False,
    )
    assert not before.edges["regimes"].str.contains("CN-2026-1").any()
