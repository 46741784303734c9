"""Issue 24, block A of the shock path: phones, hard-disk drives, yttrium (SOURCES.md 11p).

usage: python3 shock_electronics.py [DATA_DIR]     then: python3 ranges.py [DATA_DIR]

Runs on the data of SOURCES.md 11o or 11q (it touches none of 11q's rows) and sets
absolute values, so a second run finds its own result and changes nothing; it refuses any
other data (see `state`). Every figure below is written down, with its source, in
SOURCES.md 11p, before the backtest was run on the result.

What it does:

* **Vietnam's magnets: end use not split.** China's 2024 magnet exports to Vietnam (its
  customs return, 11l: 2,429 t REO) went whole to the phone assemblers, "the only Vietnamese
  user modelled", and on to Samsung (A18). No source splits them by user, and the one split
  the sources give points away from phones alone: phones and components were 33.8 of 76.4
  bn USD of Vietnam's electronics exports in January to mid-August 2024 (Vietnam Customs
  via VietnamPlus), the rest computers, electronic products and components, 99% of it made
  by foreign firms (Samsung, LG, Intel, Apple). The four China rows now feed a new
  aggregate, `vn-magnet-users-agg` ("Vietnamese users of China's magnets, end use not
  split"), with the grade lines they fed; the phone assemblers keep Shin-Etsu Vietnam's
  assumed 245 t (A13) and pass it to Samsung (A18).
* **China's yttrium oxide to Japan: Japan's customs.** Japan imported 1,133 t of yttrium
  oxide in January-October 2023 (Ministry of Finance, via IRU-MIRU), 98.7% of it from China
  in H1 2024 (Japanese customs, via Metalnomist): 1,133 x 12/10 x 0.987 = 1,341.9 t a year
  from China (the data had 600 + 100 t, A5), and 1,133 x 12/10 x 0.013 = 17.7 t from
  elsewhere (the data had Solvay's 150 t, A9). All of China's goes to the Japanese yttria
  powder makers (a country total for its single route), which pass on the fabs' assumed
  750 t and Nichia's assumed 100 t as before (A19); the rest, 509.6 t, goes to the
  Japanese industrial and electronics users' `other` line (ceramics, capacitors, optical
  glass, batteries: the uses the Japan Society of Newer Metals reports; end use not split).
  Solvay's yttrium feed shrinks with its Y output (Y 17.7 + Gd 150 t).
* **HDD motors: drives x magnets per drive.** The HDD makers' rows passed on the motor
  plants' inflow (2,106 t REO), the sum of assumed allocations (A24). They are now the
  drives' need: 3.5-inch drives 22.9 M a quarter in Q2 2024 (nearline 13.5 M, PC and
  consumer 9.4 M; TrendFocus) x 4 x 716 g (Seagate's Exos 7E10 6TB, its product manual) x
  3.5% of a drive's weight in NdFeB magnets (a WEEE case study of hard disk drives) = 25.1 g
  of NdFeB a drive, x 0.35 = 803.4 t REO a year, split by TrendFocus's unit shares (Seagate
  40.7%, Western Digital 39.7%, Toshiba 19.6%). 2.5-inch drives (7.2 M a quarter) are left
  out and desktop drives weigh less than 716 g: the figure is an estimate with the rule's
  range. The motor plants' suppliers keep their rows' totals: each row keeps 803.4 / 2,106.0
  = 0.381 for the plants and passes the rest to a new aggregate, `th-magnet-users-agg`
  ("Thai users of imported magnets other than the HDD motor plants, end use not split"),
  with the grade lines the rows fed; the rows stay assumptions (A13, A16).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from issue24 import COMTRADE, Table, read, t, write

# ------------------------------------------------------------------ sources (title – URL)
VN_EXPORTS = (
    "Electronics export bounces back impressively: computers, electronic products and "
    "components 42.59 bn USD, phones and components 33.8 bn USD to 15 August 2024; up to 99% "
    "of the industry's exports from foreign-invested firms (Samsung, LG, Intel, Apple) "
    "(VietnamPlus, General Department of Vietnam Customs, 29 Aug 2024) – "
    "https://en.vietnamplus.vn/electronics-export-bounces-back-impressively-post295692.vnp"
)
MOF_Y = (
    "酸化イットリウム輸入Report #35: Japan's imports of yttrium oxide January-October 2023 "
    "1,133 t, down 29.5% (Ministry of Finance trade statistics, via IRU-MIRU) – "
    "https://www.iru-miru.com/article_detail.php?id=64656"
)
CUSTOMS_JP_CHINA = (
    "Japan's growing reliance on China for rare earths: China's share of Japan's yttrium "
    "oxide imports 98.7% in H1 2024 (Japanese customs data, Metalnomist, Aug 2024) – "
    "https://metalnomist.com/2024/08/japans-growing-reliance-on-china-for.html"
)
JSNM_2020 = (
    "新金属協会 2020年の希土類国内需要: yttrium 1,160 t, phosphors its main use (Japan Metal "
    "Daily, 2021) – https://www.japanmetaldaily.com/articles/-/82747"
)
JSNM_2024 = (
    "新金属協会 希土類部会, 2024年の希土類製品の需要実績: uses magnets, phosphors (demand "
    "down; rare-earth phosphors in LEDs use very little), ceramic capacitors, ... "
    "(Japan Society of Newer Metals) – https://jsnm.or.jp/news/?p=1562"
)

TRENDFOCUS = (
    "TrendFocus HDD market Q2 2024: about 30 M drives, nearline 13.5 M, 3.5-inch PC and "
    "consumer 9.4 M, 2.5-inch 6.1 M, high-performance 1.1 M; Seagate 40.7%, Western Digital "
    "39.7%, Toshiba about 19.5% (4nownews repost of StorageNewsletter) – "
    "https://4nownews.com/2024/07/17/the-total-volume-of-hdds-shipped-during-the-quarter-reached-290-ebytes"
)
EXOS_WEIGHT = (
    "Seagate Exos 7E10 SATA Product Manual, publication 200440800 Rev. F (April 2022): 6TB "
    "weight 716 g (Seagate, as stored at manualmachine.com) – "
    "https://manualmachine.com/seagate/st10000nm006bexos7e10sata/27632135-product-manual-2022-rev"
)
WEEE_HDD = (
    "Rare earth elements in WEEE: Case study of Neodymium potential in hard disk drives: "
    "nearly 3.5% of an HDD's total weight consists of permanent magnets with neodymium (as "
    "stored at boxer99.de) – http://www.boxer99.de/default.asp?ArtikelPPV=22389&Menue=179"
)

# ------------------------------------------------------------------ figures
Y_JP_TEN_MONTHS = 1_133.0  # t, January-October 2023 (MoF)
Y_JP_YEAR = Y_JP_TEN_MONTHS * 12 / 10  # 1,359.6 t: 2023 annualised, the proxy for 2024
Y_CHINA_SHARE = 0.987  # H1 2024 (Japanese customs)
Y_FROM_CHINA = Y_JP_YEAR * Y_CHINA_SHARE  # 1,341.9 t
Y_FROM_ELSEWHERE = Y_JP_YEAR * (1 - Y_CHINA_SHARE)  # 17.7 t
SOLVAY_GD = 150.0  # t, Solvay's Gd output (A9), unchanged

DRIVES_35_PER_QUARTER = 13.5e6 + 9.4e6  # 3.5-inch drives, Q2 2024 (TrendFocus)
DRIVE_KG = 0.716  # a 3.5-inch nearline drive (Seagate Exos 7E10 6TB)
MAGNET_SHARE = 0.035  # of an HDD's weight (WEEE case study)
HDD_NEED = 4 * DRIVES_35_PER_QUARTER * DRIVE_KG * MAGNET_SHARE / 1000 * 0.35  # 803.4 t REO
HDD_SHARES = {"us-seagate": 0.407, "us-western-digital": 0.397, "jp-toshiba-hdd": 0.196}

VN_USERS = "vn-magnet-users-agg"
HDD = "th-hdd-motor-agg"
TH_USERS = "th-magnet-users-agg"
PHONES = "vn-phone-assembly-agg"
COATING = "jp-yttria-coating-agg"
SOUTH = "cn-creg-south-sep"
SOLVAY = "fr-solvay-la-rochelle"
JP_USERS = "jp-industrial-users-agg"
VN_SINGLE = (
    "all of it to the phone assemblers, the only Vietnamese user of Chinese magnets modelled "
    "(proxy: a country total for its single route, SOURCES.md 2)"
)
VN_UNSPLIT = (
    "all of it to Vietnam's users of imported magnets, end use not split (no source splits it "
    "by user; phones and components were 33.8 of 76.4 bn USD of Vietnam's electronics exports "
    "to mid-August 2024: a country total for its single route, SOURCES.md 2 and 11p)"
)


def state(edges):
    """'before' on the data of 11o, 'after' on this script's result; else refuse."""
    (phone,) = edges.find(s=PHONES, c="kr-samsung-mobile")
    (y_jp,) = edges.find(s=SOUTH, c=COATING, m="y_oxide")
    if float(phone["flow_t"]) == 2674.0 and float(y_jp["flow_t"]) == 600.0:
        return "before"
    if edges.find(c=VN_USERS) and edges.find(c=TH_USERS) and y_jp["flow_t"] == t(Y_FROM_CHINA):
        return "after"
    raise SystemExit("shock_electronics.py runs on the data of SOURCES.md 11o or 11q only")


def vietnam(edges, nodes, lines):
    """China's magnets to Vietnam go to its users, end use not split; the phone assemblers
    keep Shin-Etsu Vietnam's magnets."""
    moved = edges.find(c=PHONES, m="ndfeb_sintered")
    china = [e for e in moved if e["supplier"].startswith("cn-")]
    assert len(china) == 4, china
    for e in china:
        assert VN_SINGLE in e["source"], e["source"][:120]
        e["customer"] = VN_USERS
        e["source"] = e["source"].replace(VN_SINGLE, VN_UNSPLIT) + f" ; {VN_EXPORTS}"
        e["note"] = e["note"].replace(
            "China's supply to the user;", "China's supply to Vietnam's users (end use not split);"
        )
    (shin_etsu,) = edges.find(s="vn-shin-etsu-vietnam", c=PHONES)
    shin_etsu["line"] = ""  # one grade only: the assemblers need no grade lines now
    inflow = edges.flow(c=PHONES)
    (phone,) = edges.find(s=PHONES, c="kr-samsung-mobile")
    phone["flow_t"] = t(inflow)
    phone["source"] = (
        f"derived: component inflow {inflow:,.1f} t REO x 1.0 ; assumption: Samsung phone "
        "assembly in Vietnam, fed by Shin-Etsu Vietnam's magnets (A13); China's magnets to "
        f"Vietnam go to its users, end use not split (SOURCES.md 11p) ; {VN_EXPORTS}"
    )
    lines[:] = [r for r in lines if r["node"] != PHONES]
    fields = list(nodes[0].keys())
    row = {f: "" for f in fields}
    row.update(
        id=VN_USERS,
        name="Vietnamese users of China's magnets, end use not split (aggregate)",
        stage="manufacturer",
        country="VN",
        sector="industrial",
        stock_days="30",
        source=(
            "derived: intake = China's 2024 magnet exports to Vietnam (customs return by "
            f"partner) ; {COMTRADE} ; {VN_EXPORTS}"
        ),
        status="estimate",
        note=(
            "Phone, electronics-component, motor and appliance makers in Vietnam: no source "
            "splits China's magnets among them (SOURCES.md 11p); sector as the other "
            "end-use-not-split aggregate (hk-reexport-other-agg); stock as that aggregate"
        ),
    )
    at = next(i for i, n in enumerate(nodes) if n["id"] == "hk-reexport-other-agg")
    nodes.insert(at + 1, row)
    template = next(r for r in lines if r["node"] == "hk-reexport-other-agg")
    at = lines.index(template)
    for k, name in enumerate(("dy_tb_magnets", "ndpr_magnets")):
        fed = sum(float(e["flow_t"]) for e in edges.find(c=VN_USERS) if e["line"] == name)
        old = next(r for r in lines if r["node"] == "hk-reexport-other-agg" and r["line"] == name)
        new = dict(old, node=VN_USERS, baseline_units=f"{fed:.0f}")
        lines.insert(at + 2 + k, new)


def yttrium(edges, lines):
    """China's and the rest of the world's yttrium oxide to Japan from Japan's customs."""
    (china,) = edges.find(s=SOUTH, c=COATING, m="y_oxide")
    china["flow_t"] = t(Y_FROM_CHINA)
    china["status"] = "estimate"
    china["note"] = (
        "All of China's yttrium oxide to Japan through the powder makers (a country total "
        "for its single route); Nichia and the other users are supplied from here (11p)"
    )
    china["source"] = (
        f"derived: Japan's yttrium oxide imports {Y_JP_TEN_MONTHS:,.0f} t in January-October "
        f"2023 x 12/10 = {Y_JP_YEAR:,.1f} t a year (2023 as the proxy for 2024) x China's "
        f"share {Y_CHINA_SHARE} (H1 2024) = {Y_FROM_CHINA:,.1f} t ; {MOF_Y} ; {CUSTOMS_JP_CHINA}"
    )
    dropped = edges.drop(s=SOUTH, c="jp-phosphor-nichia", m="y_oxide")
    assert len(dropped) == 1 and float(dropped[0]["flow_t"]) == 100.0
    edges.put(
        COATING,
        "jp-phosphor-nichia",
        "y_oxide",
        100.0,
        "assumption: Nichia's yttrium intake (100 t, as before), bought from the Japanese "
        f"powder makers that import China's yttrium oxide ; {JSNM_2024}",
        "assumption",
        note="[A19] Japan's phosphor demand fell in 2024 (JSNM); no tonnage by maker",
        elements="Y",
    )
    (solvay,) = edges.find(s=SOLVAY, c=COATING, m="y_oxide")
    solvay["flow_t"] = t(Y_FROM_ELSEWHERE)
    solvay["status"] = "estimate"
    solvay["source"] = (
        f"derived: Japan's yttrium oxide imports {Y_JP_YEAR:,.1f} t a year x the share not "
        f"from China (1 - {Y_CHINA_SHARE}) = {Y_FROM_ELSEWHERE:,.1f} t, all booked to Solvay "
        f"(proxy: the only seller outside China modelled) ; {MOF_Y} ; {CUSTOMS_JP_CHINA}"
    )
    solvay["note"] = "[A9] 150 t before issue 24's 11p; Japan's customs leave about 18 t"
    (feed,) = edges.find(s=SOUTH, c=SOLVAY, line="y_gd")
    feed["flow_t"] = t(Y_FROM_ELSEWHERE + SOLVAY_GD)
    feed["source"] = feed["source"].replace(
        "= Y 150 + Gd 150 t output",
        f"= Y {Y_FROM_ELSEWHERE:.1f} (Japan's customs, 11p) + Gd 150 t output",
    )
    assert f"Y {Y_FROM_ELSEWHERE:.1f}" in feed["source"], feed["source"][:160]
    for r in lines:
        if r["node"] == SOLVAY and r["line"] == "y_gd":
            r["baseline_units"] = f"{Y_FROM_ELSEWHERE + SOLVAY_GD:.0f}"
    inflow = edges.flow(c=COATING)
    kept = edges.flow(s=COATING, m="yttria_coating") + edges.flow(
        s=COATING, m="y_oxide", c="jp-phosphor-nichia"
    )
    rest = inflow - kept
    edges.put(
        COATING,
        JP_USERS,
        "y_oxide",
        rest,
        f"derived: the powder makers' intake {inflow:,.1f} t less the fabs' and Nichia's "
        f"assumed {kept:,.1f} t (A19) = {rest:,.1f} t to Japan's other yttrium uses "
        f"(ceramics, capacitors, optical glass, batteries), end use not split ; {JSNM_2024} ; "
        f"{JSNM_2020}",
        "assumption",
        note="[A19] remainder after assumed edges: an assumption (SOURCES.md 2, 11p)",
        elements="Y",
        line="other",
    )
    for r in lines:
        if r["node"] == JP_USERS and r["line"] == "other":
            fed = sum(
                float(e["flow_t"])
                for e in edges.find(c=JP_USERS)
                if "other" in e["line"].split(";")
            )
            r["baseline_units"] = f"{fed:.0f}"


def hdd(edges, nodes, lines):
    """The HDD makers take drives x magnets per drive; the HDD motor plants' intake shrinks
    to it and each of their suppliers' rows passes the rest to Thailand's other users."""
    (hdd_node,) = (n for n in nodes if n["id"] == HDD)
    intake = edges.flow(c=HDD)
    keep = HDD_NEED / intake
    content_g = DRIVE_KG * MAGNET_SHARE * 1000
    for e in edges.find(c=HDD):
        flow = float(e["flow_t"])
        twin = edges.put(
            e["supplier"],
            TH_USERS,
            e["material"],
            flow * (1 - keep),
            e["source"] + f" ; x {1 - keep:.3f}: the rest after the HDD motor plants' need "
            "(drives x magnets per drive, SOURCES.md 11p) goes to Thailand's other users, end "
            "use not split",
            e["status"],
            note=e["note"],
            elements=e["elements"],
            from_line=e["from_line"],
            line=e["line"],
            licence=e["licence"],
        )
        twin["range_group"] = e["range_group"]
        e["flow_t"] = t(flow * keep)
        e["source"] += (
            f" ; x {keep:.3f}: the HDD motor plants' need, drives x magnets per drive "
            f"({HDD_NEED:,.1f} t REO), over their intake before ({intake:,.1f} t; SOURCES.md 11p)"
        )
    for maker, share in HDD_SHARES.items():
        (row,) = edges.find(s=HDD, c=maker)
        row["flow_t"] = t(HDD_NEED * share)
        row["status"] = "estimate"
        row["note"] = "[A24] drives x magnets per drive x the maker's share of drives (11p)"
        row["source"] = (
            f"derived: 3.5-inch drives 4 x {DRIVES_35_PER_QUARTER / 1e6:.1f} M a year (Q2 2024 "
            f"x 4) x {DRIVE_KG * 1000:.0f} g per drive (a nearline drive; desktop drives weigh "
            f"less, 2.5-inch drives are left out) x {MAGNET_SHARE:.1%} NdFeB = "
            f"{content_g:.1f} g per drive x 0.35 t REO per t = {HDD_NEED:,.1f} t REO x the "
            f"maker's share {share} ; {TRENDFOCUS} ; {EXOS_WEIGHT} ; {WEEE_HDD}"
        )
    assert abs(edges.flow(s=HDD) - edges.flow(c=HDD)) < 0.5
    row = dict(hdd_node)
    row.update(
        id=TH_USERS,
        name="Thai users of imported magnets other than the HDD motor plants, end use not split "
        "(aggregate)",
        stage="manufacturer",
        sector="industrial",
        stock_days="30",
        source=(
            "derived: intake = the HDD motor plants' suppliers' rows less the drives' need "
            f"(SOURCES.md 11p) ; {COMTRADE} ; {TRENDFOCUS}"
        ),
        status="assumption",
        note=(
            "[A16] Motor, appliance and auto-parts makers in Thailand: no source splits the "
            "magnets among them; sector as the other end-use-not-split aggregates"
        ),
    )
    nodes.insert(nodes.index(hdd_node) + 1, row)
    at = max(i for i, r in enumerate(lines) if r["node"] == HDD)
    for k, r in enumerate([r for r in lines if r["node"] == HDD]):
        fed = sum(float(e["flow_t"]) for e in edges.find(c=HDD) if e["line"] == r["line"])
        rest = sum(float(e["flow_t"]) for e in edges.find(c=TH_USERS) if e["line"] == r["line"])
        r["baseline_units"] = f"{fed:.0f}"
        lines.insert(
            at + 1 + k, dict(r, node=TH_USERS, sector="industrial", baseline_units=f"{rest:.0f}")
        )


def main():
    nodes, nfields = read("nodes.csv")
    rows, efields = read("edges.csv")
    lines, lfields = read("lines.csv")
    edges = Table(rows, efields)
    if state(edges) == "after":
        print("shock_electronics.py: already applied, nothing to do")
        return
    vietnam(edges, nodes, lines)
    yttrium(edges, lines)
    hdd(edges, nodes, lines)
    write("nodes.csv", nodes, nfields, True)
    write("edges.csv", edges.rows, efields, True)
    write("lines.csv", lines, lfields, True)
    print(
        f"Vietnam's users: {edges.flow(c=VN_USERS):,.1f} t; phones: {edges.flow(c=PHONES):,.1f} t"
    )
    print(f"Y oxide to Japan: China {Y_FROM_CHINA:,.1f} t, elsewhere {Y_FROM_ELSEWHERE:,.1f} t")


if __name__ == "__main__":
    main()
