"""Issue 24, the shock path's electronics and yttrium blocks, second pass (SOURCES.md 11x).

usage: python3 shock_electronics2.py [DATA_DIR]     then: python3 grades.py, python3 ranges.py

Runs on main's data at 8b6bf96 (after shock_us.py, shock_asia.py and status_audit.py) and
sets absolute values, so a second run finds its own result and changes nothing; it refuses
any other data (see `state`). Every figure below is written down, with its source, in
SOURCES.md 11x before any backtest was run on the result.

What it changes (SOURCES.md 11x):

* 11x-1  **The US's yttrium imports: 93% from China, not 100%.** The row of China's southern
         separators to the US yttrium users booked the US's 2024 imports, 470 t (MarketScreener,
         14 Nov 2025), "fully to China", while its own source gives China 93% of them ("93% of
         yttrium imports come directly or indirectly from China"; USGS: 93% from China in
         2020-2023, as relayed by Statista). China's row is now 470 x 0.93 = 437.1 t
         (`estimate`); the other 470 x 0.07 = 32.9 t are booked to Solvay La Rochelle, the only
         seller of yttrium outside China modelled (the proxy of 11p for Japan's 1.3%; USGS
         named France, with China and Japan, as the US's suppliers of yttrium compounds in
         2005), `estimate`. Solvay's Y/Gd feed from the southern separators grows by the same
         32.9 t (Y 17.7 + 32.9 + Gd 150 = 200.6 t, still A9's assumption). The users' intake
         stays 470 t, so their three outflows (assumptions, A19) do not move.
* 11x-2  **Taiwan's magnets: end use not split.** China's customs return sends 470 t REO of
         magnets to Taiwan (11l), which went whole to the Taiwanese component makers and on to
         the Apple suppliers' smartphones: a share of 1.0 that no source gives (A18; the audit
         of 11v made the row an assumption). The sources say the magnets reach more users
         than the iPhone: Taiwan's voice-coil makers ship to the iPhone's and to Android
         makers' chains (DigiTimes, 2021), the iPhones are assembled in China and India
         (Bloomberg via Silicon UK), and Taiwan's economy ministry and ITRI name electric
         vehicles, drones, robots and motors as its rare-earth users (Reuters via Samarium.dev;
         CNA). No source splits them, so, as 11p did for
         Vietnam, China's two rows now feed `tw-magnet-users-agg` ("Taiwanese users of China's
         magnets, end use not split", sector `unallocated`, 11r) with the grade lines they fed;
         their figures and status (`estimate`, a country total for its single route) do not
         change. The component aggregate, whose only inflow they were, and its row to the
         Apple suppliers (469.9 t, assumption) go.

Sources (title – URL) are in the rows they change; the searches that found nothing, and what
stays an assumption, are in SOURCES.md 11x.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from issue24 import Table, read, refresh_lines, t, write

# ------------------------------------------------------------------ sources (title – URL)
MARKETSCREENER = (
    "Yttrium under pressure: towards a new rare earth crisis: 93% of US yttrium imports come "
    "directly or indirectly from China; 470 t imported in 2024 (MarketScreener, 14 Nov 2025) – "
    "https://www.marketscreener.com/news/yttrium-under-pressure-towards-a-new-rare-earth-crisis-ce7d5fd2dc80f026"
)
USGS_93 = (
    "Report: 70% of U.S. rare earth imports from 2000 to 2023 came from China: 'during the "
    "period from 2020 to 2023, 93% of the yttrium imported by the U.S. came from China' "
    "(Statista citing the US Geological Survey, via CKHQ) [secondary] – "
    "https://en.ckhq.net/html/6031a93051e4bd20f1954e1d499219bf.html"
)
USGS_2005 = (
    "USGS, Rare earths, scandium and yttrium in 2005: supply of yttrium compounds came from "
    "China, France and Japan (Minerals Yearbook abstract) – "
    "https://pubs.usgs.gov/publication/70030360"
)
IPHONE_INDIA = (
    "Apple doubles iPhone production in India: about 1 in 7 iPhones (14%) assembled in India "
    "in the year to March 2024, the rest in China (Bloomberg, via Silicon UK, 10 Apr 2024) – "
    "https://www.silicon.co.uk/mobility/smartphones/apple-doubles-iphone-production-in-india-report-558248"
)
TW_MOEA = (
    "Taiwan: China rare-earth curbs unlikely to hurt chips; the economy ministry warned they "
    "could disrupt electric-vehicle and drone supply chains (Reuters via Samarium.dev, 12 Oct "
    "2025) – https://samarium.dev/news/taiwan-china-rare-earth-curbs-unlikely-to-hurt-chips"
)

TW_VCM = (
    "Voice coil motor makers poised to see robust shipment momentum in 2H21: Taiwan-based VCM "
    "makers (Audix, TBT, Largan) ship to the iPhone and to Xiaomi, Oppo and Vivo; Japan's "
    "Mitsumi and TDK the primary sources (DigiTimes, 26 Jul 2021) – "
    "https://www.digitimes.com/news/a20210726PD203.html"
)
TW_ITRI = (
    "台灣稀土提煉回收 工研院2026年啟動技轉: ITRI names drones, robots and electric-vehicle "
    "motors, and high-efficiency motors with NdFeB magnets, as Taiwan's rare-earth uses (CNA, "
    "2 Nov 2025, via Yahoo News Taiwan) – https://tw.news.yahoo.com/"
    "%E5%8F%B0%E7%81%A3%E7%A8%80%E5%9C%9F%E6%8F%90%E7%85%89%E5%9B%9E%E6%94%B6-"
    "%E5%B7%A5%E7%A0%94%E9%99%A22026%E5%B9%B4%E5%95%9F%E5%8B%95%E6%8A%80%E8%BD%89-014037937.html"
)

SOUTH, SOLVAY = "cn-creg-south-sep", "fr-solvay-la-rochelle"
US_Y, JP_Y = "us-yttria-users-agg", "jp-yttria-coating-agg"
US_IMPORTS, CHINA_SHARE = 470.0, 0.93
US_FROM_CHINA = US_IMPORTS * CHINA_SHARE  # 437.1 t
US_ELSEWHERE = US_IMPORTS - US_FROM_CHINA  # 32.9 t
GD_SOLVAY = 150.0  # A9

TW_PARTS, TW_USERS = "tw-electronics-components-agg", "tw-magnet-users-agg"
APPLE = "tw-apple-suppliers-agg"
TW_SINGLE = (
    "all of it to tw-electronics-components-agg, the only TW user of Chinese magnets "
    "modelled (a country total for its single route, SOURCES.md 2)"
)
TW_UNSPLIT = (
    "all of it to Taiwan's users of imported magnets, end use not split (no source splits "
    "them by user: Taiwan's voice-coil makers ship to the iPhone's and to Android makers' "
    "chains, and its economy ministry and ITRI name electric vehicles, drones, robots and "
    "motors among the users; a country total for its single route, SOURCES.md 2 and 11x)"
)


def one(rows, s, c, m=None):
    found = [
        e
        for e in rows
        if e["supplier"] == s and e["customer"] == c and (m is None or e["material"] == m)
    ]
    assert len(found) == 1, (s, c, m, len(found))
    return found[0]


def state(edges, nodes):
    """'before' on main's data at 8b6bf96, 'after' on this script's result; else refuse."""
    ids = {n["id"] for n in nodes}
    us = one(edges, SOUTH, US_Y, "y_oxide")
    fresh = us["flow_t"] == "470" and TW_PARTS in ids and TW_USERS not in ids
    if fresh and one(edges, TW_PARTS, APPLE)["flow_t"] == "469.9":
        return "before"
    if us["flow_t"] == t(US_FROM_CHINA) and TW_USERS in ids and TW_PARTS not in ids:
        return "after"
    raise SystemExit("shock_electronics2.py runs on main's data at 8b6bf96 only (SOURCES.md 11x)")


def yttrium_us(edges, nodes, lines):
    """China's row to the US yttrium users is 93% of the US's imports; the rest from Solvay."""
    us = one(edges, SOUTH, US_Y, "y_oxide")
    us["flow_t"] = t(US_FROM_CHINA)
    us["source"] = (
        f"derived: US 2024 yttrium imports {US_IMPORTS:.0f} t x China's share {CHINA_SHARE} = "
        f"{US_FROM_CHINA:.1f} t (the other {US_ELSEWHERE:.1f} t from elsewhere, SOURCES.md 11x) "
        f"; {MARKETSCREENER} ; {USGS_93}"
    )
    us["note"] = (
        f"US yttrium imports 2024 = {US_IMPORTS:.0f} t, 93% from China (SOURCES.md 11x; "
        "booked fully to China before)"
    )
    jp = one(edges, SOLVAY, JP_Y, "y_oxide")
    row = dict(jp)
    row.update(
        customer=US_Y,
        flow_t=t(US_ELSEWHERE),
        source=(
            f"derived: US 2024 yttrium imports {US_IMPORTS:.0f} t x the share not from China "
            f"(1 - {CHINA_SHARE}) = {US_ELSEWHERE:.1f} t, all booked to Solvay (proxy: the only "
            "seller of yttrium outside China modelled, as for Japan's imports, SOURCES.md 11p "
            f"and 11x) ; {MARKETSCREENER} ; {USGS_93} ; {USGS_2005}"
        ),
        status="estimate",
        note=(
            "[A9] the US's yttrium imports not from China (SOURCES.md 11x); under the licence "
            "scenarios they are still cut, through Solvay's assumed Chinese feed (A9)"
        ),
        flow_t_low="",
        flow_t_high="",
        range_group="",
    )
    edges.insert(edges.index(jp) + 1, row)
    feed = one(edges, SOUTH, SOLVAY, "mixed_carbonate")
    y_out = float(jp["flow_t"]) + US_ELSEWHERE
    feed["flow_t"] = t(y_out + GD_SOLVAY)
    feed["source"] = (
        f"assumption: Y/Gd-bearing feed = Y {float(jp['flow_t']):.1f} (Japan's customs, 11p) + Y "
        f"{US_ELSEWHERE:.1f} (the US's imports not from China, 11x) + Gd {GD_SOLVAY:.0f} t output "
        "of La Rochelle (themselves assumptions), from the southern (ionic-clay) separators "
        "that produce Y and Gd ; Solvay to expand rare earth plant in France (C&EN, Sep 2022) – "
        "https://cen.acs.org/materials/Solvay-expand-rare-earth-plant/100/i34"
    )
    (node,) = [n for n in nodes if n["id"] == US_Y]
    old = "derived: intake = US 2024 yttrium imports 470 t, booked to China (93% reported)"
    assert node["source"].startswith(old), node["source"][:120]
    node["source"] = node["source"].replace(
        old,
        f"derived: intake = US 2024 yttrium imports 470 t: China 93% ({US_FROM_CHINA:.1f} t), "
        f"the other {US_ELSEWHERE:.1f} t booked to Solvay (SOURCES.md 11x)",
    )


def taiwan(edges, nodes, lines):
    """China's magnets to Taiwan go to its users, end use not split."""
    china = [e for e in edges if e["customer"] == TW_PARTS]
    assert len(china) == 2 and all(e["supplier"] == "cn-other-sintered-agg" for e in china)
    for e in china:
        assert TW_SINGLE in e["source"], e["source"][:160]
        e["customer"] = TW_USERS
        src = e["source"].replace(TW_SINGLE, TW_UNSPLIT)
        cut = src.find(" ; range (")  # the range's basis stays last (derive/ranges.py)
        cut = len(src) if cut < 0 else cut
        e["source"] = src[:cut] + f" ; {TW_VCM} ; {TW_MOEA} ; {TW_ITRI}" + src[cut:]
        e["note"] = e["note"].replace(
            "China's supply to the user;", "China's supply to Taiwan's users (end use not split);"
        )
    edges[:] = [e for e in edges if e["supplier"] != TW_PARTS]
    (template,) = [n for n in nodes if n["id"] == "vn-magnet-users-agg"]
    row = dict(template)
    row.update(
        id=TW_USERS,
        name="Taiwanese users of China's magnets, end use not split (aggregate)",
        country="TW",
        source=(
            "derived: intake = China's 2024 magnet exports to Taiwan (customs return by "
            f"partner) ; {edges_comtrade(china)} ; {TW_VCM} ; {IPHONE_INDIA} ; {TW_MOEA} ; "
            f"{TW_ITRI}"
        ),
        status="estimate",
        note=(
            "Voice-coil and other component makers (for the iPhone's and Android makers' "
            "chains), motor, vehicle-part, robot and drone makers in Taiwan: no source splits "
            "China's magnets among them (SOURCES.md 11x); sector, stock and lines as Vietnam's "
            "(11p, 11r)"
        ),
    )
    nodes[:] = [n for n in nodes if n["id"] != TW_PARTS]
    nodes.insert(nodes.index(template) + 1, row)
    at = max(i for i, r in enumerate(lines) if r["node"] == "vn-magnet-users-agg")
    new = []
    for r in [r for r in lines if r["node"] == "vn-magnet-users-agg"]:
        fed = sum(float(e["flow_t"]) for e in china if e["line"] == r["line"])
        new.append(dict(r, node=TW_USERS, baseline_units=f"{fed:.0f}"))
    lines[at + 1 : at + 1] = new
    lines[:] = [r for r in lines if r["node"] != TW_PARTS]


def edges_comtrade(rows):
    """The customs return's citation, as China's rows to Taiwan give it."""
    marker = "UN Comtrade, China (reporter 156)"
    src = rows[0]["source"]
    start = src.index(marker)
    end = src.index(" ; ", start)
    return src[start:end]


def main():
    nodes, nfields = read("nodes.csv")
    edges, efields = read("edges.csv")
    lines, lfields = read("lines.csv")
    if state(edges, nodes) == "after":
        print("shock_electronics2.py: already applied, nothing to do")
        return
    yttrium_us(edges, nodes, lines)
    taiwan(edges, nodes, lines)
    refresh_lines(Table(edges, efields), lines, nodes)
    write("nodes.csv", nodes, nfields, True)
    write("edges.csv", edges, efields, True)
    write("lines.csv", lines, lfields, True)
    users = sum(float(e["flow_t"]) for e in edges if e["customer"] == TW_USERS)
    print(
        f"US yttrium: China {US_FROM_CHINA:.1f} t, Solvay {US_ELSEWHERE:.1f} t; "
        f"Taiwan's users: {users:.1f} t"
    )


if __name__ == "__main__":
    main()
