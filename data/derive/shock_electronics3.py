"""Issue 24, the shock path's Korean components, third pass (SOURCES.md 11aa).

usage: python3 shock_electronics3.py [DATA_DIR]     then: python3 grades.py, python3 ranges.py

Runs on main's data at b54885d (after shock_electronics2.py and the later passes) and sets
absolute values, so a second run finds its own result and changes nothing; it refuses any
other data (see `state`). Every figure below is written down, with its source, in SOURCES.md
11aa before any backtest was run on the result.

What it changes (SOURCES.md 11aa):

* 11aa-1 **Korea's users other than automotive take non-Chinese magnets in Korea's
         proportion.** The Korean component makers' intake held Star Group's 417.6 t REO,
         "Star Group's output (A13) less its other customers", from an assumed Korean output
         of 1,500 t of magnets (525 t REO): 35% of the aggregate's intake, against 8% from
         outside China for Korea's automotive users (Commerce's 0.92, the data's Korean proxy,
         11g) and against Korea's ministry of industry: Korea imported over 90% of its magnet
         demand from China in 2022, and Star Group's Hyunpung plant, opened on 27 October
         2023, is the first in Korea to make NdFeB magnets, 1,000 t a year (MOTIE via SNM
         News, 30 Oct 2023). The non-automotive users now take the same proportion: China's
         rows to them, 762.4 t, x 0.08 / 0.92 = 66.3 t from outside China, less Japan's
         customs return to Korea (TDK's 5.6 t) = 60.7 t booked to Star Group, the only other
         seller outside China modelled (still an assumption: which seller ships the 8% is not
         sourced, as for Star Group's automotive rows). Star Group's Korean deliveries fall
         from 525.0 to 168.1 t REO (480 t of magnets, inside the plant's 1,000 t a year).
* 11aa-2 **The Korean component makers' split between Samsung and the Apple suppliers by their
         sales.** The split was 0.7 / 0.3 with no source (A18). It is now the revenue proxy
         the brief names and SOURCES.md 11t weighed: LG Innotek's sales to Apple, 75% of
         14,945.6 bn won in 2021 (11,209.2), and Samsung Electro-Mechanics' sales to Samsung
         Electronics and its subsidiaries, 28.6% of 9,675 bn won in 2021 (2,767.0): Samsung
         0.198, Apple 0.802 (2020: 0.29 / 0.71). The proxy covers the camera-module makers,
         not the speaker and haptics makers, whose customers no source names (stated in the
         rows). With 11aa-1 the intake's assumed part is 7.3% (Star Group's 60.7 of 828.7 t),
         below the materiality reading's 25% (SOURCES.md 11v), so the two rows are
         estimates: 164.1 t to Samsung's phones, 664.6 t to the Apple suppliers'.

Sources (title – URL) are in the rows they change; the searches that found nothing, and what
stays an assumption, are in SOURCES.md 11aa.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from issue24 import Table, read, refresh_lines, t, write

# ------------------------------------------------------------------ sources (title – URL)
MOTIE = (
    "국내 최초 희토류 영구자석 생산 개시: the ministry of industry (MOTIE): Star Group's "
    "(성림첨단산업) Hyunpung plant in Daegu, opened 27 Oct 2023, the first NdFeB magnet "
    "production in Korea, 1,000 t a year; Korea imported over 90% of its magnet demand from "
    "China in 2022 (SNM News, 30 Oct 2023) – http://www.snmnews.com/news/articleView.html?idxno=525070"
)
COMMERCE = (
    "China's share of world NdFeB magnets 0.92 (US Commerce Section 232 report, 2020, via "
    "Mayer Brown), the data's proxy for Korea's supply (SOURCES.md 11g)"
)
KED = (
    "LG Innotek's sales to Apple 75% of its sales in 2021 (Korea Economic Daily) – "
    "https://m.kedglobal.com/newsView/ked202205050002"
)
LGI_SALES = (
    "LG Innotek's 2021 sales 14,945.6 bn won (FnGuide via Jobs Vox) – "
    "https://chandatobanda.com/lg-innotek-on-the-path-of-rapid-growth-jobs-vox/"
)
SEMCO = (
    "Samsung Electronics and its subsidiaries 28.6% of Samsung Electro-Mechanics' 2021 sales "
    "of 9,675 bn won (35.2% in 2020; its audit report via NEWSIS, koreawave) – "
    "https://koreawave.jp/?p=11713"
)
LGI_2024 = (
    "LG Innotek's sales to Apple more than 80% in 2024 (DigiTimes, 1 Nov 2024) – "
    "https://apps.digitimes.com/news/a20241101PD221/lg-innotek-semco-2024-operating-profit-component.html"
)

STAR, PARTS = "kr-star-group", "kr-electronics-components-agg"
SAMSUNG, APPLE = "kr-samsung-mobile", "tw-apple-suppliers-agg"
TDK = "jp-tdk-magnet"
CN_SHARE = 0.92  # Commerce's proxy, as for Korea's automotive users (11g)
# the revenue proxy (bn won, 2021; SOURCES.md 11t): sales to Apple and to Samsung
TO_APPLE = 0.75 * 14_945.6  # 11,209.2
TO_SAMSUNG = 0.286 * 9_675  # 2,767.0
SAMSUNG_SHARE = TO_SAMSUNG / (TO_SAMSUNG + TO_APPLE)  # 0.198
OLD_STAR, OLD_SAMSUNG, OLD_APPLE = "417.6", "829.9", "355.7"


def one(rows, s, c, m=None):
    found = [
        e
        for e in rows
        if e["supplier"] == s and e["customer"] == c and (m is None or e["material"] == m)
    ]
    assert len(found) == 1, (s, c, m, len(found))
    return found[0]


def chinese_intake(edges):
    """China's rows into the Korean component makers (the residual of its customs total)."""
    rows = [e for e in edges if e["customer"] == PARTS and e["supplier"].startswith("cn-")]
    assert len(rows) == 4 and all(e["status"] == "estimate" for e in rows), len(rows)
    return sum(float(e["flow_t"]) for e in rows)


def star_row(edges):
    """Korea's non-Chinese share of the users' intake, less Japan's customs, to Star Group."""
    china = chinese_intake(edges)
    japan = float(one(edges, TDK, PARTS)["flow_t"])
    return china * (1 - CN_SHARE) / CN_SHARE - japan


def state(edges):
    """'before' on main's data at b54885d, 'after' on this script's result; else refuse."""
    star = one(edges, STAR, PARTS)["flow_t"]
    samsung = one(edges, PARTS, SAMSUNG)["flow_t"]
    apple = one(edges, PARTS, APPLE)["flow_t"]
    if (star, samsung, apple) == (OLD_STAR, OLD_SAMSUNG, OLD_APPLE):
        return "before"
    intake = sum(float(e["flow_t"]) for e in edges if e["customer"] == PARTS)
    if star == t(star_row(edges)) and samsung == t(intake * SAMSUNG_SHARE):
        return "after"
    raise SystemExit("shock_electronics3.py runs on main's data at b54885d only (SOURCES.md 11aa)")


def korea_non_chinese(edges):
    """Star Group's row to the component makers: Korea's 8% from outside China, less Japan's."""
    china = chinese_intake(edges)
    japan = float(one(edges, TDK, PARTS)["flow_t"])
    flow = star_row(edges)
    row = one(edges, STAR, PARTS)
    row["flow_t"] = t(flow)
    row["source"] = (
        f"derived: China's rows to the Korean component makers {china:.1f} t REO x "
        f"(1 - {CN_SHARE}) / {CN_SHARE} = {china * (1 - CN_SHARE) / CN_SHARE:.1f} t from outside "
        f"China (the proportion of Korea's automotive users), less Japan's customs return to "
        f"Korea {japan:.1f} t = {flow:.1f} t, booked to Star Group (the only other seller "
        f"outside China modelled; which seller ships it is not sourced) ; {COMMERCE} ; {MOTIE}"
    )
    row["note"] = (
        "[A13] [A16] Korea's non-Chinese magnets to its users other than automotive (SOURCES.md "
        "11aa; before: Star Group's assumed 1,500 t output less its other customers, 417.6 t)"
    )


def korea_split(edges):
    """The component makers' output to Samsung and the Apple suppliers by their sales."""
    intake = sum(float(e["flow_t"]) for e in edges if e["customer"] == PARTS)
    assumed = sum(
        float(e["flow_t"]) for e in edges if e["customer"] == PARTS and e["status"] == "assumption"
    )
    proxy = (
        f"Samsung's share {SAMSUNG_SHARE:.3f} = the two makers' 2021 sales to Samsung "
        f"({TO_SAMSUNG:,.1f} bn won: Samsung Electro-Mechanics' 28.6% of 9,675) over their "
        f"sales to Samsung and Apple (+ {TO_APPLE:,.1f} bn won: LG Innotek's 75% of "
        "14,945.6); 2020's sales give 0.29 / 0.71 (a revenue proxy for the magnet split: it "
        "covers the camera-module makers, not the speaker and haptics makers, whose customers "
        f"no source names) ; the intake's assumed part, Star Group's {assumed:.1f} t "
        f"({assumed / intake:.1%}), is below the materiality reading's 25% (SOURCES.md 11v)"
    )
    for customer, share, name in (
        (SAMSUNG, SAMSUNG_SHARE, "Samsung's"),
        (APPLE, 1 - SAMSUNG_SHARE, "Apple's"),
    ):
        row = one(edges, PARTS, customer)
        row["flow_t"] = t(intake * share)
        row["source"] = (
            f"derived: component inflow {intake:.1f} t REO x {name} share {share:.3f} ; {proxy} ; "
            f"{KED} ; {LGI_SALES} ; {SEMCO} ; {LGI_2024}"
        )
        row["status"] = "estimate"
        row["note"] = (
            "[A18] split by the camera-module makers' sales to Samsung and Apple (SOURCES.md "
            "11t, 11aa; before: 0.7 / 0.3 with no source)"
        )
        row["flow_t_low"] = row["flow_t_high"] = ""


def main():
    nodes, _ = read("nodes.csv")
    edges, efields = read("edges.csv")
    lines, lfields = read("lines.csv")
    if state(edges) == "after":
        print("shock_electronics3.py: already applied, nothing to do")
        return
    korea_non_chinese(edges)
    korea_split(edges)
    refresh_lines(Table(edges, efields), lines, nodes)
    write("edges.csv", edges, efields, True)
    write("lines.csv", lines, lfields, True)
    samsung = one(edges, PARTS, SAMSUNG)["flow_t"]
    apple = one(edges, PARTS, APPLE)["flow_t"]
    star = one(edges, STAR, PARTS)["flow_t"]
    print(f"Star Group to the component makers {star} t; Samsung {samsung} t, Apple {apple} t")


if __name__ == "__main__":
    main()
