"""The bundled dataset's credibility (issue 13): sources, statuses, assumption shares, shares.

Thresholds are the acceptance criteria of issue 13. One that the data does not reach yet is
marked ``xfail(strict=True)`` with the current figure in the reason, not weakened: when the data
reaches it, the test fails until the marker is removed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import supplygraph as sg
from supplygraph.analyses.quality import quality_report, shock_path
from supplygraph.analyses.stats import stage_country_shares
from supplygraph.dataset.io import bundled_data_dir

STATUSES = {"reported", "estimate", "assumption"}
URL = re.compile(r"https?://\S+")
# a cited title followed by its URL: "<title> – <URL>" (en dash) or "<title> - <URL>"
CITATION = re.compile(r"\w[^;]*?\s[–-]\s+https?://\S+")

# Content farms, blog mirrors and third-party extractions removed from the bundled data in
# favour of primary sources (company filings, customs data, USGS, IEA, CLEPA) or of a
# reputable secondary source where no primary was found. See data/SOURCES.md, section 8.
DENY_DOMAINS = (
    "blogspot.com",  # blog reposts of Reuters/NYT articles
    "rovjok.com",  # content farm
    "gitnux.org",  # statistics content farm
    "menfem.com",  # AI-written company research page
    "couragemagnet.com",  # magnet vendor blog
    "github.com/themayankpathak",  # third-party extraction of Lynas/MP filings
    "horizonmagnets.com",  # magnet vendor blog
)


@pytest.fixture(scope="module")
def tables():
    folder = bundled_data_dir()
    return {
        name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("nodes", "edges")
    }


@pytest.fixture(scope="module")
def edges(tables):
    edges = tables["edges"].copy()
    stage = dict(zip(tables["nodes"]["id"], tables["nodes"]["stage"]))
    edges["stage"] = edges["supplier"].map(stage)  # an edge belongs to its supplier's stage
    edges["flow"] = edges["flow_t"].astype(float)
    edges["assumed"] = edges["status"] == "assumption"
    return edges


@pytest.fixture(scope="module")
def graph():
    return sg.load()


@pytest.mark.parametrize("name", ["nodes", "edges"])
def test_every_row_has_a_source_and_a_valid_status(tables, name):
    table = tables[name]
    assert (table["source"].str.strip() != "").all()
    bad = table[~table["status"].isin(STATUSES)]
    assert bad.empty, bad.iloc[:, :3]


@pytest.mark.parametrize("name", ["nodes", "edges"])
def test_every_estimate_is_derived_from_a_cited_title_and_url(tables, name):
    table = tables[name]
    estimates = table[table["status"] == "estimate"]
    not_derived = estimates[~estimates["source"].str.startswith("derived:")]
    assert not_derived.empty, not_derived.iloc[:, :3].to_string()
    for _, row in estimates.iterrows():
        formula, _, cited = row["source"].partition(";")
        assert formula.strip() != "derived:", row.iloc[:3].tolist()
        assert CITATION.search(cited), row.iloc[:3].tolist()


def test_every_assumption_is_listed_in_sources_md(tables):
    text = (bundled_data_dir() / "SOURCES.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| (A\d+) \|", text, flags=re.MULTILINE))
    assert len(listed) >= 20
    for name in ("nodes", "edges"):
        table = tables[name]
        for _, row in table[table["status"] == "assumption"].iterrows():
            # each assumption row names its reason in the source ("assumption: ...") or
            # refers to a numbered entry of SOURCES.md section 5
            refs = set(re.findall(r"\bA\d+\b", row["source"] + " " + row["note"]))
            assert "assumption" in row["source"] or refs & listed, row.iloc[:3].tolist()


def test_no_citation_to_a_denied_domain(tables):
    for name, table in tables.items():
        for column in ("source", "note"):
            for cell in table[column]:
                for url in URL.findall(cell):
                    assert not any(domain in url for domain in DENY_DOMAINS), (name, url)


def test_every_cited_domain_is_in_publishers_csv(graph):
    # every file of the bundled data, source and note cells: data/publishers.csv says whether
    # each domain is a primary or a secondary publisher's (SOURCES.md section 8)
    assert [str(warning) for warning in quality_report(graph).warnings] == []


# Issue 24, item 5: the measure is influence, not row counts. Under each licence scenario the
# edges whose flow it changes (the shock path) must rest on assumptions for at most 15% of
# their baseline tonnes. The data does not reach it yet: the figures are in the reasons
# (data/SOURCES.md 11k, docs/data-quality.md), each marker strict.
MAX_SHOCK_ASSUMED_PCT = 15.0


@pytest.fixture(scope="module")
def shock(graph):
    return shock_path(graph, ["2025-10-package", "2025-04-heavy-licences"]).set_index(
        ["scenario", "status"]
    )


@pytest.mark.parametrize(
    "scenario",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(
                strict=True,
                reason=f"{name}: {share} of the shocked tonnage rests on assumptions "
                "(target <= 15%; 35.7% before the status audit of 11v made the rows whose "
                "split rests on an assumed input assumptions): the US auto-parts makers' "
                "Chinese rows (the US split by use), the Japanese makers' customers, GE's "
                "generator plant, the fabs' coatings and the Y/Dy/Sm chains have no sourced "
                "figure (SOURCES.md 11k, 11o, 11p, 11q, 11s, 11t, 11v, 11w, 11x, 11y, 11z, "
                "11aa, 11ab, 11ac)",
            ),
        )
        for name, share in (("2025-10-package", "30.1%"), ("2025-04-heavy-licences", "30.1%"))
    ],
)
def test_at_most_15_percent_of_the_shocked_tonnage_is_assumed(shock, scenario):
    assert shock.loc[(scenario, "assumption"), "flow_pct"] <= MAX_SHOCK_ASSUMED_PCT


def test_the_shock_path_measure_counts_every_moved_edge(shock):
    # the statuses add up to the scenario's shocked tonnage, and the licence scenarios move
    # tens of thousands of tonnes (36,463 t under the October package)
    package = shock.loc["2025-10-package"]
    assert package["flow_pct"].sum() == pytest.approx(100.0)
    assert 30_000 < package["flow_t"].sum() < 45_000
    assert package.loc["estimate", "flow_pct"] > 50.0  # 97.2% assumed before issue 24


# Issue 24, 11v: a row's status is its weakest input's (SOURCES.md section 2), an assumed input
# counting where leaving it out would move the row by more than +-25% (materiality). China's
# rows to the Japanese EV-motor and auto-parts makers split China's customs total to Japan by
# "China's share of Japan's sintered magnets 0.228", whose denominator is the Japanese makers'
# output derived with A13's 0.9 and A14's 0.95 (3,715 t REO): assumptions in 11v, estimates
# since 11w, where a second JSNM figure brackets that total.
JAPANS_SHARE = "China's share of Japan's sintered magnets"


@pytest.mark.parametrize("supplier", ["cn-jl-mag", "cn-other-sintered-agg"])
def test_rows_split_by_japans_bracketed_output_are_estimates(tables, supplier):
    # SOURCES.md 11w: China's rows to the Japanese EV-motor and auto-parts makers are the need
    # x 0.228 = 1,094.3 / (1,094.3 + 3,715) t REO, Japan's output from JSNM's 2024 demand with
    # A13's 0.9 and A14's 0.95 (assumptions since 11v). JSNM's own production statement, about
    # 12,400 t of magnets in 2020 x 0.35 = 4,340 t REO, gives 1,094.3 / 5,434.3 = 0.201: the rows
    # x 0.885, inside an estimate's +-25% (materiality, 11v), so they are estimates whose range
    # reaches 0.885 of the figure. The residual to the industrial users stays an assumption: the
    # bonded magnets' share of it (A16) is about three quarters of it.
    edges = tables["edges"]
    rows = edges[(edges["supplier"] == supplier) & edges["source"].str.contains(JAPANS_SHARE)]
    users = rows[rows["customer"].isin(["jp-ev-motor-agg", "jp-auto-parts-agg"])]
    assert len(users) == 3  # EV motors (Dy/Tb grade only) and auto parts (both grades)
    assert set(users["status"]) == {"estimate"}, users.iloc[:, :3].to_string()
    assert users["source"].str.contains("about 12,400 t in 2020", regex=False).all()
    low = users["flow_t_low"].astype(float) / users["flow_t"].astype(float)
    dy_only = users[users["from_line"] == "dy_tb_grade"].index
    assert (low[dy_only] <= 0.89).all()  # 0.885, the figures rounded to 0.1 t
    residual = edges[
        (edges["supplier"] == supplier) & (edges["customer"] == "jp-industrial-users-agg")
    ]
    assert len(residual) >= 1
    assert set(residual["status"]) == {"assumption"}


def test_daidos_magnets_for_ev_motors_are_heavy_rare_earth_free(tables):
    # SOURCES.md 11w: Daido Electronics' hot-deformed magnets carry no Dy or Tb (Honda's hybrid
    # drive motors since 2016; about 40 t a month for hybrids and industrial equipment in 2025):
    # its row to the Japanese EV-motor makers leaves its Nd/Pr-grade line (before: dy_tb_grade,
    # Nd;Pr;Dy;Tb), and the EV-motor makers keep the two grades apart
    edges = tables["edges"]
    (row,) = edges[
        (edges["supplier"] == "jp-daido-magnet") & (edges["customer"] == "jp-ev-motor-agg")
    ].itertuples()
    assert row.from_line == "ndpr_grade"
    assert set(row.elements.split(";")) == {"Nd", "Pr"}
    assert "heavy rare earth free" in row.source
    other = edges[
        (edges["customer"] == "jp-ev-motor-agg") & (edges["supplier"] != "jp-daido-magnet")
    ]
    assert set(other["from_line"]) == {"dy_tb_grade"}
    # the EV-motor makers' traction motors leave their two grade lines in proportion to the
    # lines' intake: Toyota's need 1,221.9 t x 124.5 / 1,263.2 = 120.4 t heavy-free (a component's
    # lines that ship nothing of their own would share its edges equally: 611 t)
    motors = edges[(edges["supplier"] == "jp-ev-motor-agg") & (edges["customer"] == "jp-toyota")]
    parts = dict(zip(motors["from_line"], motors["flow_t"].astype(float)))
    assert parts["ndpr_magnets"] == pytest.approx(120.4, abs=0.1)
    assert parts["dy_tb_magnets"] + parts["ndpr_magnets"] == pytest.approx(1221.9, abs=0.1)


def test_grade_parts_fed_by_assumed_inflow_are_assumptions(tables):
    # An auto-parts aggregate ships a carmaker's sourced need (vehicles x 0.2915 kg REO) in two
    # parts in proportion to its own two grade lines (A26): where assumed inflow rows move the
    # proportion by more than an estimate's +-25% (materiality, SOURCES.md 11v), both parts are
    # assumptions. China: all 11,506 t assumed. Korea (Star Group's 96.2 of 1,203 t: 645.3 ->
    # 649.1 t, 0.6%) and Germany (217.6 of 1,451 t: 410.3 -> 414.9 t, 1.1%) stay estimates.
    # Japan's were assumptions from 11v (the makers' pairs split 0.5 / 0.5 by an assumed rule)
    # and are estimates since 11y (test_japans_auto_parts_magnets_take_the_sourced_grade_share).
    edges = tables["edges"]
    parts = edges[edges["note"].str.contains("parts by grade", regex=False)]
    status = parts.groupby("supplier")["status"].agg(set)
    assert status["cn-auto-parts-agg"] == {"assumption"}
    for supplier in ("kr-auto-parts-agg", "de-auto-actuators-agg"):
        assert status[supplier] == {"estimate"}
    # the Indian and Mexican parts makers take China's customs rows only: they stay estimates
    assert status["in-auto-parts-agg"] == status["mx-auto-parts-agg"] == {"estimate"}


def test_japans_auto_parts_magnets_take_the_sourced_grade_share(tables):
    # SOURCES.md 11y: Shin-Etsu's, Proterial's and TDK's pairs of rows to the Japanese
    # auto-parts makers were split 0.5 / 0.5 by grade (LINES.md's provisional rule); they take
    # the sourced production-wide share of Dy/Tb-bearing sintered NdFeB, 0.60 (Adamas, as a
    # stated proxy, range 0.60-0.90), each pair keeping its total: Shin-Etsu 700.8 t x 0.60 =
    # 420.5 t. Daido's hot-deformed pair keeps 0.5. The aggregate's Dy/Tb line then takes
    # China's 24.1 + 268.0 t (its Dy/Tb rows after 11z's US rows moved China's common grade
    # share), the three makers' 420.5 + 350.0 + 221.6 t and Daido's 100.2 t = 1,384.4 of
    # 2,400.1 t (0.5768), so Toyota's Dy/Tb part is its need 1,463.4 t x 0.5768 = 844.1 t
    # (744.5 t before) and Honda's and Nissan's 937.0 x 0.5768 = 540.5 t; with no
    # assumed input left that moves them by more than 25% (Daido's pair heavy-free: -7.2%),
    # the parts are estimates (assumptions before), their range from the grade share's 0.90.
    edges = tables["edges"]
    into = edges[
        (edges["customer"] == "jp-auto-parts-agg") & (edges["material"] == "ndfeb_sintered")
    ]
    for maker in ("jp-shin-etsu-magnet", "jp-proterial-magnet", "jp-tdk-magnet", "jp-daido-magnet"):
        pair = into[into["supplier"] == maker]
        flows = dict(zip(pair["from_line"], pair["flow_t"].astype(float)))
        share = flows["dy_tb_grade"] / (flows["dy_tb_grade"] + flows["ndpr_grade"])
        assert share == pytest.approx(0.5 if maker == "jp-daido-magnet" else 0.60, abs=0.001)
    assert float(into.loc[into["supplier"] == "jp-shin-etsu-magnet", "flow_t"].max()) == 420.5
    parts = edges[(edges["supplier"] == "jp-auto-parts-agg")]
    assert set(parts["status"]) == {"estimate"}
    ht = parts[parts["material"] == "actuator_ht"].set_index("customer")["flow_t"].astype(float)
    assert ht["jp-toyota"] == pytest.approx(844.1, abs=0.1)
    assert ht["jp-automakers-agg"] == pytest.approx(540.5, abs=0.1)
    toyota = parts[(parts["customer"] == "jp-toyota") & (parts["material"] == "actuator_ht")]
    # the grade share at 0.90: (292.1 + 100.2 + 0.90 x 1,653.6) / 2,400.1 = 0.7835, / 0.5768 =
    # x 1.3584, times the need's rule range x 1.25: 844.1 x 1.25 x 1.3584 = 1,433.3 t
    assert float(toyota["flow_t_high"].iloc[0]) == pytest.approx(844.1 * 1.25 * 1.3584, abs=0.5)


def test_components_state_the_inflow_they_pass_on(edges):
    # a component's row "derived: component inflow N t REO x share" names its node's inflow
    # (SOURCES.md 11o): China's customs return (11l) had raised three nodes' inflow and left
    # their rows at the old N (Vietnam's phone assemblers 1,842 against 2,674 t, GE's
    # generator plant 245 against 413.6 t, the French defence actuators 119 against 125.9 t)
    inflow = edges.groupby("customer")["flow"].sum()
    stated = edges["source"].str.extract(r"component inflow ([\d,.]+) t REO")[0].dropna()
    stated = stated.str.replace(",", "").astype(float)
    node = edges.loc[stated.index, "supplier"]
    off = {n: (s, inflow[n]) for n, s in zip(node, stated) if abs(s - inflow[n]) > 1.0}
    assert len(stated) >= 10
    assert off == {}


def test_japans_dy_tb_metal_line_takes_what_it_ships(edges):
    # SOURCES.md 11q: the Japanese metal makers' Dy/Tb line took 600 t of oxide and 150 t of
    # metal from China, nearly three times the 261 t it ships to the magnet makers (98 + 81 +
    # 59 + 23 t: each maker's output / 0.713 x 0.05, A13, A14); in 2024 no separated Dy or
    # Tb came from outside China (Lynas's first Dy in May 2025), so it takes 261 t: 208.8 t
    # of oxide and 52.2 t of metal in the earlier 600 : 150 proportion
    line_in = edges[(edges["customer"] == "jp-re-metal-agg") & (edges["line"] == "dy_tb")]
    line_out = edges[(edges["supplier"] == "jp-re-metal-agg") & (edges["from_line"] == "dy_tb")]
    assert line_out["flow"].sum() == pytest.approx(261.0)
    assert line_in["flow"].sum() == pytest.approx(line_out["flow"].sum(), abs=0.5)
    assert set(line_in.loc[line_in["flow"] > 0, "supplier"]) <= {
        "cn-creg-south-sep",
        "cn-ganzhou-metal-agg",
    }
    # the southern separators' Dy/Tb oxide (51,280 t x 0.94 x 0.06 = 2,892.2 t) is not lost:
    # what Japan no longer takes stays with Ganzhou's metal makers
    south = edges[(edges["supplier"] == "cn-creg-south-sep") & (edges["material"] == "heavy_oxide")]
    assert south["flow"].sum() == pytest.approx(51_280 * 0.94 * 0.06, abs=1.0)


def test_japans_magnet_exports_follow_its_customs_return(edges):
    # SOURCES.md 11t: Japan's own 2024 return of HS 8505.11 by partner (UN Comtrade, reporter
    # 392; tests/data/trade/comtrade-jp-850511-2024.csv), counted by the unit-value rule of
    # data/hs.csv, min(weight, value / 49.18 USD/kg) x 0.35 t REO per t:
    # the USA 592,259 kg, USD 26,613,088.8 / 49.18 = 541,136 kg -> 541.136 x 0.35 = 189.4 t;
    # Korea 15,919 kg (USD 2,405,482.5 / 49.18 = 48,912 kg is more) -> 15.919 x 0.35 = 5.6 t;
    # Thailand 1,275,299 kg (USD 66,672,393.2 / 49.18 = 1,355,681 kg) -> 446.4 t.
    # The data had assumed splits of the makers' output: 155.6, 78.5 and 342.8 t
    japan = edges[edges["supplier"].str.startswith("jp-") & (edges["material"] == "ndfeb_sintered")]
    us = japan[japan["customer"].str.startswith("us-")]
    kr = japan[japan["customer"].str.startswith("kr-")]
    th = japan[japan["customer"].str.startswith("th-")]
    assert us["flow"].sum() == pytest.approx(541.136 * 0.35, abs=0.05)
    assert kr["flow"].sum() == pytest.approx(15.919 * 0.35, abs=0.05)
    assert th["flow"].sum() == pytest.approx(1275.299 * 0.35, abs=0.5)
    # a pair's only edge takes the statistic as published (SOURCES.md 2)
    assert us["status"].tolist() == ["reported"] and kr["status"].tolist() == ["reported"]
    # the HDD motor plants still take the drives' need (11p): the added Thai tonnes go to
    # Thailand's other users
    hdd = edges[edges["customer"] == "th-hdd-motor-agg"]
    assert hdd["flow"].sum() == pytest.approx(803.4, abs=0.5)


def test_at_least_95_percent_of_uncertain_edges_carry_a_range(graph):
    # issue 24, acceptance 2, as the data-quality report counts it: the estimate and
    # assumption edges by the basis of their range; `none` is the share without one
    rows = quality_report(graph).breakdown
    ranges = rows[(rows["table"] == "edges") & (rows["stage"] == "all") & (rows["by"] == "range")]
    ranges = ranges.set_index("value")
    assert ranges["rows"].sum() == graph.edges["status"].isin(["estimate", "assumption"]).sum()
    assert ranges.loc["none", "rows_pct"] <= 5.0
    # customs, grade, SGRE: 49 since 11v (China's rows to Japan split by an assumed output
    # became assumptions, whose range is the rule's, not the customs return's)
    assert ranges.loc[["interval", "sources"], "rows"].sum() >= 45


def china_share(shares: pd.DataFrame, stage: str) -> float:
    rows = shares[shares["stage"] == stage].set_index("country")
    return float(rows.loc["CN", "share_pct"])


def test_china_mining_share_within_3_points_of_usgs(graph):
    # USGS MCS 2025: 270,000 of 390,000 t REO in 2024 = 69%
    assert abs(china_share(stage_country_shares(graph), "mine") - 69) <= 3


def test_china_separation_share_within_3_points_of_iea(graph):
    # IEA (23 Oct 2025): 91% of separation/refining in 2024
    assert abs(china_share(stage_country_shares(graph), "separation") - 91) <= 3


def test_china_sintered_magnet_share_is_a_result_in_89_to_96_percent(graph):
    # IEA: 94% of sintered NdFeB in 2024; no national total is set to hit it (SOURCES.md)
    shares = stage_country_shares(graph, material="ndfeb_sintered")
    assert 89 <= china_share(shares, "magnet") <= 96


def test_finished_goods_leaving_china_are_outside_no_18(tables):
    edges = tables["edges"]
    countries = dict(zip(tables["nodes"]["id"], tables["nodes"]["country"]))
    finished = {"traction_motor", "wind_generator", "hdd_motor", "industrial_motor"}
    leaving = edges[
        (edges["supplier"].map(countries) == "CN")
        & (edges["customer"].map(countries) != "CN")
        & edges["material"].isin(finished)
    ]
    assert (leaving["licence"] == "exempt").all()


# The sourced Dy/Tb grade split of China's sintered NdFeB (SOURCES.md 4d): its one home is
# the derivation folder of the source checkout (not installed with the package)
GRADE_SPLIT = Path(__file__).resolve().parents[1] / "data" / "derive" / "grade_split.csv"
GRADES = ("dy_tb_grade", "ndpr_grade")


@pytest.fixture(scope="module")
def chinese_sintered(tables):
    nodes = tables["nodes"].set_index("id")
    edges = tables["edges"]
    edges = edges[
        (edges["material"] == "ndfeb_sintered")
        & (edges["supplier"].map(nodes["country"]) == "CN")
        & (edges["supplier"].map(nodes["stage"]) == "magnet")
    ]
    return edges.assign(
        flow=edges["flow_t"].astype(float), exported=edges["customer"].map(nodes["country"]) != "CN"
    )


@pytest.mark.parametrize("exported", [True, False], ids=["exports", "domestic"])
def test_china_grade_split_is_the_sourced_figure(chinese_sintered, exported):
    figure = float(pd.read_csv(GRADE_SPLIT)["dy_tb_share"].iloc[0])
    group = chinese_sintered[chinese_sintered["exported"] == exported]
    dy_tb = group.loc[group["from_line"] == "dy_tb_grade", "flow"].sum()
    # flows are written to 0.1 t: about 40 split edges of ~20,000 t move the share < 0.001
    assert abs(dy_tb / group["flow"].sum() - figure) < 0.001


def test_china_grades_carry_the_elements_the_licence_rule_reads(chinese_sintered):
    # each Chinese sintered edge leaves one grade; only the Dy/Tb grade lists Dy and Tb
    assert chinese_sintered["from_line"].isin(GRADES).all()
    lists_dy_tb = chinese_sintered["elements"].map(lambda x: {"Dy", "Tb"} <= set(x.split(";")))
    assert (lists_dy_tb == (chinese_sintered["from_line"] == "dy_tb_grade")).all()
    assert (chinese_sintered["licence"] == "").all()  # No. 18's rule decides, no exception


def test_no_customer_line_pools_the_two_grades(tables):
    lines = tables["nodes"][["id"]].merge(
        pd.read_csv(bundled_data_dir() / "lines.csv", dtype=str, keep_default_na=False),
        left_on="id",
        right_on="node",
        how="left",
    )
    lines_of = lines.groupby("id")["line"].apply(lambda s: [x for x in s if isinstance(x, str)])
    edges = tables["edges"]
    graded = edges[(edges["material"] == "ndfeb_sintered") & edges["from_line"].isin(GRADES)]
    fed = {}
    for row in graded.itertuples():
        named = [x for x in row.line.split(";") if x] or lines_of[row.customer] or [""]
        for line in named:
            fed.setdefault((row.customer, line), set()).add(row.from_line)
    pooled = sorted(key for key, grades in fed.items() if len(grades) > 1)
    assert not pooled
    # the check can fail: before the grade lines, de-auto-actuators-agg pooled both
    assert ("de-auto-actuators-agg", "dy_tb_magnets") in fed


def test_carmakers_take_the_two_grades_of_actuators_as_different_parts(tables):
    # an auto-parts aggregate with both grade lines ships a carmaker high-temperature
    # actuators (Dy/Tb grades) and the rest as two materials, in proportion to its lines
    edges, lines = tables["edges"], pd.read_csv(bundled_data_dir() / "lines.csv")
    for supplier in ("de-auto-actuators-agg", "us-auto-actuators-agg", "mx-auto-parts-agg"):
        out = edges[edges["supplier"] == supplier]
        # the Mexican plants make traction motors too (SOURCES.md 11s), from the Dy/Tb line
        assert set(out["material"]) - {"traction_motor"} == {"actuator", "actuator_ht"}
        dy_tb_line = {"actuator_ht", "traction_motor"}
        assert set(out.loc[out["material"].isin(dy_tb_line), "from_line"]) == {"dy_tb_magnets"}
        assert set(out.loc[out["material"] == "actuator", "elements"]) == {"Nd;Pr"}
        of = lines[lines["node"] == supplier].set_index("line")["baseline_units"]
        flow = out.assign(t=out["flow_t"].astype(float)).groupby("material")["t"].sum()
        motors = flow.get("traction_motor", 0.0)
        share = (of["dy_tb_magnets"] - motors) / (of["dy_tb_magnets"] + of["ndpr_magnets"] - motors)
        parts = flow["actuator_ht"] + flow["actuator"]
        # e.g. us-auto-actuators-agg: lines 374 and 676 t -> 374 / 1,050 = 0.356 of 1,050 t;
        # mx-auto-parts-agg: (514 - 96.9) / (514 + 358 - 96.9) = 0.538 of 775.7 t
        assert abs(flow["actuator_ht"] / parts - share) < 0.002, supplier


# ------------------------------------------------------------------ issue 24

EU = {"AT", "BE", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "HU", "IT", "NL", "PL", "SE"}


def country_flows(tables, exporter, importers):
    nodes = tables["nodes"].set_index("id")
    edges = tables["edges"]
    src = edges["supplier"].map(nodes["country"])
    dst = edges["customer"].map(nodes["country"])
    return edges.loc[(src == exporter) & dst.isin(importers), "flow_t"].astype(float).sum()


def test_eu_imports_by_origin_follow_eurostat(tables):
    # Eurostat 2024: EU imports of rare-earth metals and compounds 12,900 t, of which China
    # 6,000 t, Russia 3,700 t and Malaysia 2,600 t (product weight; SOURCES.md 11c). Russia's
    # REO output (2,500 t, USGS) caps what can leave Russia as REO; before issue 24 the data
    # had 300 t from Russia and nothing from Malaysia
    assert 2_000 <= country_flows(tables, "RU", EU) <= 2_500
    assert 1_200 <= country_flows(tables, "MY", EU) <= 2_600


def test_japans_yttrium_oxide_imports_follow_its_customs(tables):
    # Japan's Ministry of Finance: 1,133 t of yttrium oxide imported in January-October 2023,
    # 98.7% of it from China (H1 2024): 1,133 x 12/10 x 0.987 = 1,341.9 t a year from China
    # and 1,133 x 12/10 x 0.013 = 17.7 t from elsewhere (SOURCES.md 11p); before, the data had
    # 600 + 100 = 700 t from China and Solvay's 150 t, 18% of the total
    nodes = tables["nodes"].set_index("id")
    edges = tables["edges"]
    to_japan = edges[
        (edges["material"] == "y_oxide")
        & (edges["customer"].map(nodes["country"]) == "JP")
        & (edges["supplier"].map(nodes["country"]) != "JP")
    ]
    flow = to_japan["flow_t"].astype(float)
    china = flow[to_japan["supplier"].map(nodes["country"]) == "CN"].sum()
    assert 1_300 <= china <= 1_400
    assert flow.sum() - china <= 0.02 * flow.sum()


def test_us_yttrium_imports_are_93_percent_from_china(tables):
    # The US imported 470 t of yttrium in 2024, 93% of it from China (MarketScreener; USGS
    # for 2020-2023): China's row is 470 x 0.93 = 437.1 t and the other 470 - 437.1 = 32.9 t
    # come from a seller outside China (booked to Solvay, SOURCES.md 11x), so the users'
    # intake stays 470 t. Before, China's row booked all 470 t
    nodes = tables["nodes"].set_index("id")
    edges = tables["edges"]
    into = edges[(edges["customer"] == "us-yttria-users-agg") & (edges["material"] == "y_oxide")]
    flow = into["flow_t"].astype(float)
    chinese = into["supplier"].map(nodes["country"]) == "CN"
    assert flow[chinese].sum() == pytest.approx(437.1, abs=0.05)
    assert flow[~chinese].sum() == pytest.approx(32.9, abs=0.05)
    assert set(into.loc[~chinese, "status"]) == {"estimate"}


def test_taiwans_chinese_magnets_go_to_its_users_with_end_use_not_split(tables):
    # China's customs return sends 470 t REO of magnets to Taiwan (1,343 t x 0.35); no source
    # splits them by user, so they feed one aggregate whose end use is not split (as Vietnam's,
    # 11p), not a component maker that passed them whole to the Apple suppliers' smartphones
    # (a share of 1.0 with no source, SOURCES.md 11v and 11x)
    nodes = tables["nodes"].set_index("id")
    edges = tables["edges"]
    magnets = edges["material"].isin(["ndfeb_sintered", "ndfeb_bonded", "smco_magnet"])
    to_tw = edges[
        magnets
        & (edges["supplier"].map(nodes["country"]) == "CN")
        & (edges["customer"].map(nodes["country"]) == "TW")
    ]
    assert to_tw["flow_t"].astype(float).sum() == pytest.approx(469.9, abs=0.2)
    (user,) = set(to_tw["customer"])
    assert "end use not split" in nodes.loc[user, "name"]
    assert nodes.loc[user, "sector"] == "unallocated"
    assert edges[edges["supplier"] == user].empty  # they end there


def test_koreas_non_automotive_users_take_koreas_non_chinese_share(tables):
    # Korea's automotive users take 8% of their magnets from outside China (Commerce's 0.92;
    # MOTIE: over 90% of Korea's demand imported from China), and so do its other users now:
    # China's rows to the component makers x 0.08 / 0.92, less Japan's customs return (TDK),
    # booked to Star Group: 762.4 x 0.08 / 0.92 - 5.6 = 66.3 - 5.6 = 60.7 t (SOURCES.md 11aa).
    # Before, Star Group's assumed output less its other customers sent 417.6 t, 35% of the
    # component makers' intake
    edges = tables["edges"]
    into = edges[edges["customer"] == "kr-electronics-components-agg"]
    flow = into["flow_t"].astype(float)
    china = flow[into["supplier"].str.startswith("cn-")].sum()
    assert china == pytest.approx(762.4, abs=0.05)
    non_chinese = flow[~into["supplier"].str.startswith("cn-")].sum()
    assert non_chinese == pytest.approx(china * 0.08 / 0.92, abs=0.1)
    star = flow[into["supplier"] == "kr-star-group"].sum()
    assert star == pytest.approx(60.7, abs=0.05)
    assert star / flow.sum() < 0.25  # below the materiality reading of SOURCES.md 11v


def test_korean_component_makers_split_by_their_sales_to_samsung_and_apple(tables):
    # The revenue proxy (SOURCES.md 11t, 11aa): sales to Samsung 0.286 x 9,675 = 2,767.0 bn won
    # (Samsung Electro-Mechanics, 2021), to Apple 0.75 x 14,945.6 = 11,209.2 (LG Innotek):
    # Samsung's share 2,767.0 / 13,976.2 = 0.198; the intake 828.7 t gives Samsung 164.1 t and
    # the Apple suppliers 664.6 t, estimates. Before: 0.7 / 0.3 with no source, assumptions
    edges = tables["edges"]
    out = edges[edges["supplier"] == "kr-electronics-components-agg"].set_index("customer")
    flow = out["flow_t"].astype(float)
    assert flow["kr-samsung-mobile"] == pytest.approx(164.1, abs=0.05)
    assert flow["tw-apple-suppliers-agg"] == pytest.approx(664.6, abs=0.05)
    assert flow["kr-samsung-mobile"] / flow.sum() == pytest.approx(0.198, abs=0.0005)
    assert set(out["status"]) == {"estimate"}


def test_energy_fuels_sells_its_ndpr_to_posco(tables):
    # Energy Fuels' NdPr oxide goes to POSCO International (MOU of March 2025), not to MP
    edges = tables["edges"]
    out = edges[edges["supplier"] == "us-energy-fuels-white-mesa"]
    assert set(out["customer"]) == {"kr-posco-international"}
    mp = edges[
        (edges["supplier"] == "us-mp-mountain-pass-sep") & (edges["customer"] == "jp-re-metal-agg")
    ]
    assert "Sumitomo" in mp["source"].iloc[0]


# One rule for rare-earth content per vehicle (SOURCES.md 11e): 0.5 kg REE per electric or
# hybrid car in its traction motor (IEA) and 0.25 kg REE per vehicle of any powertrain in its
# ancillary motors and actuators (Reuters citing the IEA), as REO (x 1.166), applied to each
# country's production (OICA 2024; Mexico: INEGI light vehicles, the node's units)
TRACTION_KG_REO, ANCILLARY_KG_REO = 0.5 * 1.166, 0.25 * 1.166
PRODUCTION = {
    "CN": 31_281_592,
    "US": 10_562_188,
    "JP": 8_234_681,
    "IN": 6_014_691,
    "KR": 4_127_252,
    "DE": 4_069_222,
    "FR": 910_243,
    "MX": 3_989_403,
}
ELECTRIC = {"ev", "hybrid"}


@pytest.fixture(scope="module")
def carmakers(tables):
    lines = pd.read_csv(bundled_data_dir() / "lines.csv", dtype=str, keep_default_na=False)
    cars = lines[(lines["unit"] == "vehicles") & lines["sector"].isin(["ev", "automotive"])]
    cars = cars.assign(units=cars["baseline_units"].astype(float))
    country = tables["nodes"].set_index("id")["country"]
    return cars.assign(country=cars["node"].map(country))


def test_traction_motors_feed_only_electric_and_hybrid_lines(tables, carmakers):
    edges = tables["edges"]
    motors = edges[
        (edges["material"] == "traction_motor") & edges["customer"].isin(carmakers["node"])
    ]
    for row in motors.itertuples():
        # before issue 24 Honda's and Nissan's whole line (5 m petrol cars) took traction motors
        assert row.line and set(row.line.split(";")) <= ELECTRIC, (row.supplier, row.customer)


def test_one_rule_for_rare_earths_per_vehicle(tables, carmakers):
    edges = tables["edges"].assign(t=tables["edges"]["flow_t"].astype(float))
    parts = edges[edges["material"].isin(["actuator", "actuator_ht"])]
    motors = edges[edges["material"] == "traction_motor"]
    for node, cars in carmakers.groupby("node"):
        fed = parts[parts["customer"] == node]
        # every line of every carmaker takes ancillary parts, both grades (before issue 24
        # China's, Korea's, India's and Japan's petrol cars took none)
        assert set(fed["material"]) == {"actuator", "actuator_ht"}, node
        assert (fed["line"] == "").all(), node
        electric = cars.loc[cars["line"].isin(ELECTRIC), "units"].sum()
        per_vehicle = fed["t"].sum() * 1000 / cars["units"].sum()
        per_electric = motors.loc[motors["customer"] == node, "t"].sum() * 1000 / electric
        # a traction motor carries twice the ancillary content, in every country
        assert per_electric == pytest.approx(2 * per_vehicle, rel=0.01), node
    for country, cars in carmakers.groupby("country"):
        fed = parts[parts["customer"].isin(cars["node"])]["t"].sum()
        # the country's ancillary intake is its production by the rule
        assert fed == pytest.approx(PRODUCTION[country] * ANCILLARY_KG_REO / 1000, rel=0.01)


def test_indian_two_wheelers_take_traction_motors(tables):
    # 1.15 m electric two-wheelers in FY25 using about 690 t of NdFeB (The Hindu BusinessLine)
    lines = pd.read_csv(bundled_data_dir() / "lines.csv", dtype=str, keep_default_na=False)
    (units,) = lines.loc[lines["node"] == "in-two-wheelers-agg", "baseline_units"].astype(float)
    assert units == 1_150_000
    edges = tables["edges"]
    fed = edges[
        (edges["customer"] == "in-two-wheelers-agg") & (edges["material"] == "traction_motor")
    ]
    assert fed["flow_t"].astype(float).sum() == pytest.approx(690 * 0.35, rel=0.01)


def test_mexicos_electric_cars_take_motors_made_in_mexico(tables):
    # SOURCES.md 11s: GM's Ramos Arizpe plant makes the Ultium Drive motors of the Blazer EV
    # and Equinox EV (GM Authority); only the 53,904 Mach-E of 2024 (AMIA) took Ford's motors
    # from the US. Before, the data booked all of Mexico's 128.3 t REO of traction motors to
    # the US motor makers (A16, "supplier not in our sources")
    nodes = tables["nodes"].set_index("id")
    edges = tables["edges"].assign(t=tables["edges"]["flow_t"].astype(float))
    motors = edges[
        (edges["customer"] == "mx-automakers-agg") & (edges["material"] == "traction_motor")
    ]
    by_country = motors.groupby(motors["supplier"].map(nodes["country"]))["t"].sum()
    assert (motors["status"] == "estimate").all()
    # (220,000 - 53,904) x 0.5 kg REE x 1.166 = 96.8 t from Mexico; 53,904 x 0.583 = 31.4 t
    assert by_country["MX"] == pytest.approx((220_000 - 53_904) * 0.583 / 1000, abs=0.1)
    assert by_country["US"] == pytest.approx(53_904 * 0.583 / 1000, abs=0.06)
    # the Mexican parts and motor plants take China's customs total to Mexico (2,493 t x
    # 0.35 = 872.6 t REO); the motors' 96.9 t come out of its Dy/Tb grade whole (A25), the
    # rest of it at the common share: 96.9 + 0.535 x 775.7 = 511.9 t of 872.6 (0.538 before
    # 11z sent China's magnets for the US and German EV motors, 3,101 t needing Dy/Tb grades)
    fed = edges[
        (edges["customer"] == "mx-auto-parts-agg") & (edges["material"] == "ndfeb_sintered")
    ]
    assert fed["t"].sum() == pytest.approx(872.6, abs=0.15)
    dy_tb = fed.loc[fed["from_line"] == "dy_tb_grade", "t"].sum()
    assert dy_tb == pytest.approx(96.9 + 0.535 * (872.6 - 96.9), abs=1.0)


def test_the_2024_export_baselines_are_on_the_line_of_their_months():
    # issue 26 (SOURCES.md, Bands of the dated run): a series' 2024 monthly baseline counts
    # the scope of its months, China's magnet line 85051110: the US 5,933 / (1 - 0.203) / 12
    # = 620.3 t, Japan 228 / 1.208 / (5,774 / 1.175) x 58,152 / 12 = 186.1 t (8505.11 by the
    # unit-value rule, 670 t and 261 t, counts more than the line: issue 24's 11m)
    observed = pd.read_csv(bundled_data_dir() / "observed.csv", dtype=str, keep_default_na=False)
    base = observed[observed["month"] == "2024-avg"].set_index("series")
    assert base.loc["cn-magnet-exports-us", "value"] == "620"
    assert base.loc["cn-magnet-exports-jp", "value"] == "186"
    assert base["source"].str.contains("85051110", regex=False).all()
    # the months of the baseline's year, each derived from a 2025 month and its change on
    # the year: e.g. the US's September 420 / (1 - 0.295) = 595.7 t
    normal = observed[observed["month"].str.fullmatch(r"2024-[0-9]{2}")]
    total = normal["series"] == "cn-magnet-exports"  # the level's year-earlier months
    assert total.sum() == 6
    normal = normal[~total]
    assert normal.groupby("series").size().to_dict() == {
        "cn-magnet-exports-jp": 4,
        "cn-magnet-exports-us": 6,
    }
    assert normal["source"].str.startswith("derived: ").all()
    assert (normal["status"] == "estimate").all()
    us = normal[normal["series"] == "cn-magnet-exports-us"].set_index("month")["value"]
    assert us["2024-09"] == "596"


def test_chinas_magnet_exports_cite_its_customs_return(tables):
    # issue 23's close-out: every edge of a Chinese magnet maker to a node abroad cites
    # China's 2024 customs return (SOURCES.md 12)
    nodes = tables["nodes"].set_index("id")["country"]
    edges = tables["edges"]
    magnets = edges["material"].isin(["ndfeb_sintered", "ndfeb_bonded", "smco_magnet"])
    abroad = (edges["supplier"].map(nodes) == "CN") & (edges["customer"].map(nodes) != "CN")
    exports = edges[magnets & abroad]
    assert len(exports) >= 60
    assert exports["source"].str.contains("UN Comtrade, China (reporter 156)", regex=False).all()


def test_aggregates_without_an_end_use_claim_no_sector(tables):
    # SOURCES.md 11r: a node whose name says its end use is not split (or the Hong Kong hub
    # with the partners that have no node of their own) is in the sector `unallocated`, so no
    # named sector holds tonnes nobody can place; before, they were `industrial`. Four since
    # Taiwan's users joined Vietnam's and Thailand's (11x)
    nodes = tables["nodes"]
    unsplit = nodes["name"].str.contains("end use not split") | (
        nodes["id"] == "hk-reexport-other-agg"
    )
    assert unsplit.sum() == 4
    assert set(nodes.loc[unsplit, "sector"]) == {"unallocated"}
    assert "unallocated" not in set(nodes.loc[~unsplit, "sector"])


def test_the_totals_level_is_its_month_over_the_same_month_a_year_before():
    # data/SOURCES.md, "A destination's share of China's exports moves": the total's months
    # of 2025 over 2024's, where above 1: July 5,577 / 5,278 = 1.057, August 6,146 / 5,325 =
    # 1.154, September 5,774 / 4,914 = 1.175, October 5,491 / 4,742 = 1.158, November
    # 6,149.95 / 4,794 = 1.283, December 5,952 / 5,584 = 1.066
    from supplygraph.analyses.backtest import levels

    observed = pd.read_csv(bundled_data_dir() / "observed.csv")
    level = levels(observed, "cn-magnet-exports")
    expected = [1.057, 1.154, 1.175, 1.158, 1.283, 1.066]
    assert list(level) == [f"2025-{m:02d}" for m in range(7, 13)]
    assert list(level.values()) == pytest.approx(expected, abs=0.001)


def _flows(tables):
    return tables["edges"].assign(t=tables["edges"]["flow_t"].astype(float))


def test_sgi_vina_shipped_no_magnets_to_the_us_in_2024(tables):
    # SOURCES.md 11z-1, 11z-2: SGI Vina's plant opened in February 2025 and its named customers
    # are VinFast and Hyundai; the US's own customs count 22.8 t of 8505.11 from all of
    # Vietnam (x 0.35 = 8.0 t REO), not the 171.7 t REO booked before. China's rows to the US
    # EV-motor makers are their need less their other suppliers' rows: 675.1 - Proterial
    # 189.4 - MP Independence 35.0 = 450.7 t, so the makers receive what they ship (805.8 t
    # against 675.1 t before)
    edges = _flows(tables)
    (sgi,) = edges[(edges["supplier"] == "vn-sgi-vina") & (edges["customer"] == "us-ev-motor-agg")][
        "t"
    ]
    assert sgi == 0.0
    into = edges[edges["customer"] == "us-ev-motor-agg"]
    out = edges[edges["supplier"] == "us-ev-motor-agg"]["t"].sum()
    assert out == pytest.approx(675.1, abs=0.1)
    assert into["t"].sum() == pytest.approx(out, abs=0.2)
    china = into[into["supplier"].isin(["cn-jl-mag", "cn-other-sintered-agg"])]
    assert china["t"].sum() == pytest.approx(675.1 - 189.4 - 35.0, abs=0.2)
    # MP's assumed 35 t is 7.8% of them (< 25%, SOURCES.md 11v): estimates
    assert (china["status"] == "estimate").all()
    # the auto-parts makers take the rest of the 2,278.3 t China's total leaves after the
    # assumed industrial, defence and SmCo rows (535 t, A16): 1,827.6 t, which those rows
    # would move by 535 / 1,827.6 = 29% (> 25%): still assumptions
    parts = edges[
        (edges["customer"] == "us-auto-actuators-agg")
        & edges["supplier"].isin(["cn-jl-mag", "cn-other-sintered-agg"])
    ]
    assert parts["t"].sum() == pytest.approx(2278.3 - 450.7, abs=0.3)
    assert (parts["status"] == "assumption").all()


def test_german_evs_take_traction_motors_made_in_germany(tables):
    # SOURCES.md 11z-4: BMW's e-drives come from Dingolfing, Mercedes's electric powertrains
    # from Untertürkheim, Tesla Grünheide has its drive-unit building; before, 0.472 of the
    # German carmakers' traction motors came from Chinese motor makers (A18, no source).
    # Need: 1,209,651 electric cars x 0.583 kg REO x 0.3033 (Germany's production share)
    # = 213.9 t, all from the German motor makers
    edges = _flows(tables)
    motors = edges[
        (edges["customer"] == "de-automakers-agg") & (edges["material"] == "traction_motor")
    ].set_index("supplier")
    assert motors.loc["de-ev-motor-agg", "t"] == pytest.approx(
        1_209_651 * 0.583 * 0.3033 / 1000, abs=0.2
    )
    assert motors.loc["cn-ev-motor-agg", "t"] == 0.0
    assert (motors["status"] == "estimate").all()
    # the German motor makers receive what they ship: VW 179.5 + 213.9 + France 115.9
    into = edges.loc[edges["customer"] == "de-ev-motor-agg", "t"].sum()
    out = edges.loc[edges["supplier"] == "de-ev-motor-agg", "t"].sum()
    assert out == pytest.approx(179.5 + 213.9 + 115.9, abs=0.2)
    assert into == pytest.approx(out, abs=0.2)
    # China's customs total to Germany is still split whole among its German users
    # (11,112 t x 0.35 = 3,889.2 t REO, 11l)
    nodes = tables["nodes"].set_index("id")["country"]
    magnets = edges["material"] == "ndfeb_sintered"
    to_de = edges[
        magnets & (edges["supplier"].map(nodes) == "CN") & (edges["customer"].map(nodes) == "DE")
    ]
    assert to_de["t"].sum() == pytest.approx(11_112 * 0.35, abs=1.0)


def test_vac_ships_the_non_chinese_part_of_siemens_gamesas_generators(tables):
    # SOURCES.md 11z-3: the non-Chinese 15% of the generators' need (ECA: 17,000 of 20,000 t
    # from China), 981.5 x 0.15 = 147.2 t REO, booked to VAC by a stated proxy (Japan's own
    # customs return sends Germany 8.9 t REO of magnets in all): an estimate, an assumption
    # before
    edges = _flows(tables)
    (row,) = edges[
        (edges["supplier"] == "de-vac-hanau") & (edges["customer"] == "de-sgre-generator")
    ].itertuples()
    assert row.t == pytest.approx(981.5 * 0.15, abs=0.05)
    assert row.status == "estimate"
    assert row.source.startswith("derived: the non-Chinese 15%")
