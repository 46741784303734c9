"""Concentration: HHI per stage and element, and the CRMA 65% benchmark, on hand-made tables."""

from __future__ import annotations

from graphs import make_graph

from supplygraph.analyses.stats import concentration, crma_check, stage_element_shares


def _graph():
    # three oxide suppliers sell to a German and a French magnet plant; an Estonian
    # separator (EU) sells to the French one; a Japanese plant buys from China
    nodes = {
        "cn": {"country": "CN"},
        "my": {"country": "MY"},
        "ee": {"country": "EE"},
        "de": {"stage": "magnet", "country": "DE"},
        "fr": {"stage": "magnet", "country": "FR"},
        "jp": {"stage": "magnet", "country": "JP"},
    }
    edges = [
        ("cn", "de", "ndpr_oxide", 60, {"elements": "Nd;Pr"}),
        ("my", "de", "ndpr_oxide", 20, {"elements": "Nd"}),
        ("cn", "fr", "heavy_oxide", 10, {"elements": "Dy"}),
        ("ee", "fr", "ndpr_oxide", 20, {"elements": "Nd;Pr"}),
        ("cn", "jp", "ndpr_oxide", 400, {"elements": "Nd;Pr"}),
    ]
    return make_graph(nodes, edges)


def test_hhi_per_stage_and_element():
    shares = stage_element_shares(_graph())
    table = concentration(shares, by=("stage", "element")).set_index(["stage", "element"])
    # separation, Nd: CN 60 + 400 = 460, MY 20, EE 20 of 500 -> 92%, 4%, 4%
    # HHI = 92^2 + 4^2 + 4^2 = 8464 + 16 + 16 = 8496
    nd = table.loc[("separation", "Nd")]
    assert nd["top_country"] == "CN"
    assert round(nd["hhi"], 6) == 8496
    assert nd["above_crma_65pct"]
    # separation, Dy: only CN's 10 t -> 100%, HHI 10,000
    assert round(table.loc[("separation", "Dy"), "hhi"], 6) == 10_000
    # separation, Pr: CN 460, EE 20 of 480 -> 95.83%, 4.17% -> 9184.03 + 17.36 = 9201.39
    assert round(table.loc[("separation", "Pr"), "hhi"], 2) == 9201.39


def test_crma_flags_third_countries_above_65pct_of_eu_consumption():
    crma = crma_check(_graph()).set_index(["stage", "element", "country"])
    # EU-bound Nd at the separation stage: CN 60, MY 20, EE 20 (EU, not a third country)
    # of 100 t -> CN 60% (below 65%), MY 20%; Japan's 400 t are not EU consumption
    assert crma.loc[("separation", "Nd", "CN"), "share_pct"] == 60.0
    assert not crma.loc[("separation", "Nd", "CN"), "above_crma"]
    assert crma.loc[("separation", "Nd", "MY"), "share_pct"] == 20.0
    # Pr: CN 60 of 80 (CN 60 + EE 20) -> 75% > 65%: a breach
    assert crma.loc[("separation", "Pr", "CN"), "share_pct"] == 75.0
    assert crma.loc[("separation", "Pr", "CN"), "above_crma"]
    # Dy: CN 10 of 10 -> 100%
    assert crma.loc[("separation", "Dy", "CN"), "above_crma"]
    # the EU's own supplier is never listed
    assert "EE" not in crma.index.get_level_values("country")
    # a share equal to the benchmark is not above it (75% against a 75% benchmark)
    at_75 = crma_check(_graph(), benchmark_pct=75.0)
    assert not at_75.set_index(["stage", "element", "country"]).loc[
        ("separation", "Pr", "CN"), "above_crma"
    ]
