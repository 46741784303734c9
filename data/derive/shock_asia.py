"""Issue 24, the shock path's Asian rows: Japan's magnet exports by partner (SOURCES.md 11t).

usage: python3 shock_asia.py [DATA_DIR]     then: python3 ranges.py [DATA_DIR]

Runs on the data of main at d4fa28d (after shock_vehicles.py, shock_electronics.py and
end_use.py) and sets absolute values, so a second run finds its own result and changes
nothing; it refuses any other data (see `state`). Every figure below is written down, with
its source, in data/SOURCES.md 11t, before any backtest was run on the result.

What it changes (SOURCES.md 11t):

* 11t-1  **Japan's magnet exports by partner: Japan's own customs return.** The graph's
         Japanese magnet makers shipped abroad by assumed splits (A13, A16). Japan reports
         its 2024 exports of HS 8505.11 by partner to UN Comtrade (reporter 392; the rows are
         `tests/data/trade/comtrade-jp-850511-2024.csv`, cut from the same raw extract as
         China's return, and counted by the same unit-value rule of `data/hs.csv`, SOURCES.md
         12). `supplygraph trade reconcile` on it: Germany 8.9 t REO against the graph's
         215.1 t, Korea 5.6 against 78.5 t, Thailand 446.4 against 342.8 t, the USA 189.4
         against 155.6 t. Applied as `trade apply` applies a return:
         - the USA: the pair's only edge (Proterial to the US EV-motor makers) takes the
           statistic, 541.1 t of rare-earth magnets x 0.35 = 189.4 t REO, `reported`
           (SOURCES.md 2: a pair's only edge; a country total for its single route);
         - Korea: the pair's only edge (TDK to the Korean component makers) takes 15.9 t x
           0.35 = 5.6 t REO, `reported`; the component makers pass on their smaller inflow
           (the rule of 11o: each outflow = inflow x its share), their customers' rows stay
           assumptions (the 0.7 / 0.3 split and Star Group's 417.6 t, A13, A16, A18);
         - Thailand: the Japanese makers' Thai rows rise to the statistic, 446.4 t REO (x
           1.302); the HDD motor plants' intake stays the drives' need (11p), so the added
           tonnes go to Thailand's other users (`th-magnet-users-agg`, end use not split),
           each maker's share of the pair as before; the rows stay assumptions (A13, A16);
         - Germany is **not** applied (recorded in 11t): its Japanese rows are the non-Chinese
           15% of the German makers' need (ECA) in the suppliers' earlier proportions; cut to
           Japan's 8.9 t, the German motor and actuator makers would ship 206 t more than they
           receive, and no source says who supplies the rest (VAC's output, A13, leaves no room).
         The makers' and the components' line baselines follow their rows.

Sources (title – URL), in the rows they change: UN Comtrade, Japan (reporter 392) exports of
HS 8505.11 by partner, annual 2024 (Japan's customs return) – https://comtradeplus.un.org/ ;
the checks written beside it: CEPII BACI HS17 V202601, Japan's exports of 8505.11 by
importer, 2024 – http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37 , and the
US, Korean and Thai import reports of the same year in UN Comtrade (the atlas's raw extract,
tests/data/trade/README.md).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from issue24 import DATA, Table, read, refresh_lines, t, write

ROOT = Path(__file__).resolve().parents[2]
JP_FILE = ROOT / "tests/data/trade/comtrade-jp-850511-2024.csv"
JP_RETURN = (
    "UN Comtrade, Japan (reporter 392) exports of HS 8505.11 by partner, annual 2024, "
    "Japan's customs return (rows in tests/data/trade/comtrade-jp-850511-2024.csv), "
    "rare-earth magnets counted by the unit-value rule of data/hs.csv: min(weight, value / "
    "49.18 USD/kg) – https://comtradeplus.un.org/"
)
BACI_JP = (
    "CEPII BACI HS17 V202601, Japan's exports of 8505.11 by importer, 2024 (reconciled "
    "exporter and importer reports, as kept in the critical-materials atlas's "
    "pipeline/data/trade.parquet) – http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
)
# BACI's reconciled figures and the importers' own reports (mirrors), written into the rows
# as checks: t of product and thousand USD (BACI), t and USD (mirrors); the raw rows are in
# the atlas (BACI: pipeline/data/trade.parquet; Comtrade: reconcile/fixtures/raw/comtrade)
BACI_BY = {"US": (460.793, 22_218.109), "KR": (18.283, 1_834.960), "TH": (1_373.209, 66_848.069)}
MIRROR_BY = {
    "US": "the USA reports 404.2 t, USD 20.5 m of imports from Japan",
    "KR": "Korea reports 18.3 t, USD 1.7 m of imports from Japan",
    "TH": "Thailand reports about 1,380.9 t, USD 66.9 m of imports from Japan",
}
REO_PER_T = 0.35  # data/hs.csv, 8505.11
USD_PER_KG = 49.18  # data/hs.csv, 8505.11: the unit-value rule

PROTERIAL, TDK, SHIN_ETSU = "jp-proterial-magnet", "jp-tdk-magnet", "jp-shin-etsu-magnet"
US_EV = "us-ev-motor-agg"
KR_PARTS = "kr-electronics-components-agg"
HDD, TH_USERS = "th-hdd-motor-agg", "th-magnet-users-agg"
SHARE = re.compile(r"component inflow [\d,.]+ t REO")


def japan_2024():
    """Japan's 2024 exports of 8505.11: {iso2: (weight t, USD, rare-earth magnets t)}."""
    from supplygraph.analyses.trade import count_records
    from supplygraph.dataset.trade import read_trade_files
    from supplygraph.dataset.trade_codes import load_hs_table

    hs = load_hs_table(DATA / "hs.csv")
    r = count_records(read_trade_files([JP_FILE], hs["hs"]), hs)
    r = r[(r["flow"] == "X") & (r["exporter"] == "JP") & (r["importer_kind"] == "country")]
    return {row.importer: (row.weight_t, row.value_usd, row.counted_t) for row in r.itertuples()}


JP = japan_2024()


def reo(c):
    """Japan's 2024 rare-earth magnets to c in t REO."""
    return JP[c][2] * REO_PER_T


def checks(c):
    """BACI's figure and the importer's mirror, as text for the row's source."""
    q, v_kusd = BACI_BY[c]
    counted = min(q, v_kusd / USD_PER_KG)
    return (
        f"checks: BACI {q:,.1f} t, USD {v_kusd / 1000:,.1f} m, {counted:,.1f} t of rare-earth "
        f"magnets by the rule = {counted * REO_PER_T:,.1f} t REO ({BACI_JP}); "
        f"{MIRROR_BY[c]} (UN Comtrade, importer's report)"
    )


def statistic(c):
    weight, usd, counted = JP[c]
    return (
        f"Japan's 2024 exports of HS 8505.11 to {c} {weight:,.1f} t, USD {usd / 1e6:,.1f} m; "
        f"rare-earth magnets by the unit-value rule {counted:,.1f} t x {REO_PER_T} = "
        f"{reo(c):,.1f} t REO"
    )


def thai_rows(edges):
    return [
        e
        for e in edges.rows
        if e["supplier"].startswith("jp-") and e["customer"] in (HDD, TH_USERS)
    ]


def state(edges):
    """'before' on main's data at d4fa28d, 'after' on this script's result; else refuse."""
    (us,) = edges.find(s=PROTERIAL, c=US_EV)
    (kr,) = edges.find(s=TDK, c=KR_PARTS)
    thai = sum(float(e["flow_t"]) for e in thai_rows(edges))
    if (us["flow_t"], kr["flow_t"], round(thai, 1)) == ("155.6", "78.5", 342.8):
        return "before"
    if us["flow_t"] == t(reo("US")) and kr["flow_t"] == t(reo("KR")):
        return "after"
    raise SystemExit("shock_asia.py runs on main's data at d4fa28d only (SOURCES.md 11t)")


def single_route(edges, supplier, customer, c, user):
    """A pair's only edge takes Japan's return for the pair (`reported`, SOURCES.md 2)."""
    (row,) = edges.find(s=supplier, c=customer)
    was = row["flow_t"]
    row["flow_t"] = t(reo(c))
    row["status"] = "reported"
    row["source"] = (
        f"derived: {statistic(c)} ; all of it to {customer}, the only {user} of Japanese "
        f"magnets modelled (a country total for its single route, the pair's only edge: "
        f"SOURCES.md 2 and 11t) ; {JP_RETURN} ; {checks(c)}"
    )
    row["note"] = (
        f"Japan's customs return by partner (issue 24, SOURCES.md 11t): {was} t before, by "
        "an assumed split of the maker's output (A13, A16); which Japanese maker ships it is "
        "not in the return"
    )


def korea_pass_through(edges):
    """The Korean component makers pass on their inflow (the rule of 11o)."""
    inflow = edges.flow(c=KR_PARTS)
    rows = edges.find(s=KR_PARTS)
    before = sum(float(e["flow_t"]) for e in rows)
    for e in rows:
        e["flow_t"] = t(float(e["flow_t"]) * inflow / before)
        e["source"] = SHARE.sub(f"component inflow {inflow:,.1f} t REO", e["source"])
    assert abs(edges.flow(s=KR_PARTS) - inflow) < 0.5


def thailand(edges):
    """Japan's Thai rows rise to Japan's return; the added tonnes go to Thailand's other users
    (the HDD motor plants' intake stays the drives' need, 11p)."""
    rows = thai_rows(edges)
    graph = sum(float(e["flow_t"]) for e in rows)
    factor = reo("TH") / graph
    for e in rows:
        if e["customer"] != TH_USERS:
            continue
        (plant,) = [
            p
            for p in rows
            if p["customer"] == HDD and p["supplier"] == e["supplier"] and p["line"] == e["line"]
        ]
        pair = float(e["flow_t"]) + float(plant["flow_t"])
        e["flow_t"] = t(float(e["flow_t"]) + (factor - 1) * pair)
        e["source"] = (
            f"derived: the maker's Thai rows ({pair:.1f} t on this line, {graph:.1f} t for "
            f"Japan's makers in all) x {factor:.3f} to Japan's return ({statistic('TH')}), the "
            "HDD motor plants' row kept at its share of the drives' need (SOURCES.md 11p), the "
            "rest to Thailand's other users, end use not split (SOURCES.md 11t) ; "
            f"{JP_RETURN} ; {checks('TH')} ; before: " + e["source"]
        )
        e["note"] += " | Japan's customs return to TH (issue 24, SOURCES.md 11t)"
    assert abs(sum(float(e["flow_t"]) for e in rows) - reo("TH")) < 0.5


def user_lines(edges, lines, node):
    """A customer's grade lines are the sum of the in-edges feeding them (derive/grades.py)."""
    for r in lines:
        if r["node"] == node and r["line"] in ("dy_tb_magnets", "ndpr_magnets"):
            fed = sum(float(e["flow_t"]) for e in edges.find(c=node) if e["line"] == r["line"])
            r["baseline_units"] = f"{fed:.0f}"


def main():
    nodes, _ = read("nodes.csv")
    rows, efields = read("edges.csv")
    lines, lfields = read("lines.csv")
    edges = Table(rows, efields)
    if state(edges) == "after":
        print("shock_asia.py: already applied, nothing to do")
        return
    single_route(edges, PROTERIAL, US_EV, "US", "US user")
    single_route(edges, TDK, KR_PARTS, "KR", "Korean user")
    korea_pass_through(edges)
    thailand(edges)
    refresh_lines(edges, lines, nodes)
    for node in (KR_PARTS, TH_USERS):
        user_lines(edges, lines, node)
    write("edges.csv", edges.rows, efields, True)
    write("lines.csv", lines, lfields, True)
    print(
        f"Japan to US {reo('US'):.1f}, KR {reo('KR'):.1f}, TH {reo('TH'):.1f} t REO; "
        f"Korean component makers pass on {edges.flow(c=KR_PARTS):,.1f} t"
    )


if __name__ == "__main__":
    main()
