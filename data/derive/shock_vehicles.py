"""Issue 24, block B of the shock path: vehicles, magnet makers, heavy-element chains.

usage: python3 shock_vehicles.py [DATA_DIR]     then: python3 ranges.py [DATA_DIR]

Runs on the data after issue24.py, grades.py, issue24.py --refresh and ranges.py (main at
eecb3eb) and sets absolute values, so running it twice gives the same rows; it refuses data
it does not recognise (`check_start`). Every change is written down in data/SOURCES.md 11q
with what the search found for the rest of the block, before the backtest was run on it.

What it changes (SOURCES.md 11q):

* 11q-1  The Japanese metal makers' Dy/Tb line (`jp-re-metal-agg`, line `dy_tb`) took 750 t
         REO from China (600 t oxide from `cn-creg-south-sep`, 150 t metal from
         `cn-ganzhou-metal-agg`) and shipped 261 t to the Japanese magnet makers: the
         contradiction recorded in 11o. Both inflows were bare assumptions ("Japanese Dy/Tb
         imports", no figure cited); the outflow is a formula (each maker's output / 0.713
         machining yield x 0.05 Dy+Tb share, A13, A14). The line now takes what it ships,
         all from China: in 2024 no separated Dy or Tb was made outside China (Lynas's
         first separated Dy came in May 2025, Tb in June 2025: Australian Mining; Argus),
         and Japan's heavy rare earths came almost entirely from China (Sojitz's first
         imports from Mount Weld in late 2025, Sohu via Reportify). The 600 : 150 split of
         oxide and metal is kept (A5, A17). The southern separators' Dy/Tb oxide that no
         longer goes to Japan stays with Ganzhou's metal makers, whose row is the remainder
         of the separators' Dy/Tb output ("less N t Dy/Tb oxide exported to Japan"). Status
         stays `assumption` (the 261 t rests on A13 and A14).
* 11q-2  Source cells of China's US rows kept by A16 (industrial users 470 t, defence 35 t)
         still described the back-cast total of 4b (7,444 t of magnets, 2,605 t REO), which
         11l replaced by China's 2024 customs return (2,813.3 t REO): the stale part is
         removed, the figures are unchanged.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
DATA = Path(ARGS[0]) if ARGS else Path(__file__).resolve().parents[1]

LYNAS_DY = (
    "Lynas produces world's first dysprosium outside of China (Australian Mining, 16 May 2025: "
    "Lynas the only commercial producer of separated heavy RE outside China) – "
    "https://www.australianmining.com.au/lynas-produces-worlds-first-dysprosium-outside-of-china/"
)
LYNAS_HRE = (
    "Lynas produces separated heavy rare earths in Malaysia: Dy from May 2025, Tb from June "
    "2025 (Argus) – https://www.argusmedia.com/en/news-and-insights/latest-market-news/"
    "2689170-lynas-produces-separated-heavy-rare-earths-in-malaysia"
)
SOJITZ = (
    "Japan imports rare earths from outside China for the first time: Sojitz's Dy and Tb "
    "from Mount Weld, processed in Malaysia, about 30% of Japan's demand (Sohu, 2 Nov 2025, "
    "via Reportify) [secondary: digest of a Chinese report] – "
    "https://reportify.ai/news/1182299784879411200"
)
SOUTH_SPLIT = 51_280 * 0.94 * 0.06  # the southern separators' Dy/Tb oxide (their row's formula)
OXIDE_SHARE = 600 / 750  # oxide : metal into the Japanese metal makers' Dy/Tb line, as before
STALE_US = re.compile(
    r"^derived: China 2024 magnet exports to US 7,444 t finished x 0\.35 = 2,605 t REO .*?"
    r"to-us-japan-fell-in-december ; "
)
KEPT_US = (
    "assumption: China's magnets to US industrial users (470 t REO: 253.6 t of the Dy/Tb "
    "grade, 216.4 t of the Nd/Pr grade) and defence (35 t) kept at their tonnage of before "
    "issue 24 (A16: no source splits China's US total among its users; SOURCES.md 11g, 11q) ; "
)


def read(name):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows, list(rows[0].keys())


def write(name, rows, fields):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        crlf = f.readline().endswith("\r\n")
    with open(DATA / name, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\r\n" if crlf else "\n")
        w.writeheader()
        w.writerows(rows)


def one(edges, s, c, m, from_line=None):
    rows = [
        e
        for e in edges
        if e["supplier"] == s
        and e["customer"] == c
        and e["material"] == m
        and (from_line is None or e["from_line"] == from_line)
    ]
    assert len(rows) == 1, (s, c, m, len(rows))
    return rows[0]


def check_start(edges):
    """Refuse data other than main's at eecb3eb, before or after this script."""
    ships = sum(
        float(e["flow_t"])
        for e in edges
        if e["supplier"] == "jp-re-metal-agg" and e["from_line"] == "dy_tb"
    )
    oxide = float(one(edges, "cn-creg-south-sep", "jp-re-metal-agg", "heavy_oxide")["flow_t"])
    metal = float(one(edges, "cn-ganzhou-metal-agg", "jp-re-metal-agg", "dytb_metal")["flow_t"])
    before = (oxide, metal) == (600.0, 150.0)
    after = abs(oxide + metal - ships) < 0.2
    assert ships == 261.0 and (before or after), (
        "shock_vehicles.py runs on main's data at eecb3eb (SOURCES.md 11q)"
    )


def dy_tb_to_japan_11q(edges, lines):
    """11q-1: the Japanese metal makers' Dy/Tb line takes from China what it ships."""
    ships = sum(
        float(e["flow_t"])
        for e in edges
        if e["supplier"] == "jp-re-metal-agg" and e["from_line"] == "dy_tb"
    )
    oxide, metal = ships * OXIDE_SHARE, ships * (1 - OXIDE_SHARE)
    line = (
        f"the Japanese metal makers' Dy/Tb line ships {ships:g} t REO to the magnet makers "
        f"(their rows: each maker's output / 0.713 machining yield x 0.05 Dy+Tb share, A13, "
        f"A14) and takes it from China, the only maker of separated Dy and Tb in 2024"
    )
    why = (
        "600 t of oxide and 150 t of metal before: 750 t in, nearly three times what the line "
        "ships (SOURCES.md 11o, 11q)"
    )
    row = one(edges, "cn-creg-south-sep", "jp-re-metal-agg", "heavy_oxide")
    row["flow_t"] = f"{oxide:.1f}"
    row["source"] = (
        f"derived: {line}, x {OXIDE_SHARE:g} as oxide (the earlier 600 : 150 split of oxide "
        f"and metal, assumption) ; {LYNAS_DY} ; {LYNAS_HRE} ; {SOJITZ}"
    )
    row["note"] = f"[A5] [A14] {why}"
    row = one(edges, "cn-ganzhou-metal-agg", "jp-re-metal-agg", "dytb_metal")
    row["flow_t"] = f"{metal:.1f}"
    row["source"] = (
        f"derived: {line}, x {1 - OXIDE_SHARE:g} as metal (the earlier 600 : 150 split of "
        f"oxide and metal, assumption) ; {LYNAS_DY} ; {LYNAS_HRE} ; {SOJITZ}"
    )
    row["note"] = f"[A17] [A14] {why}"
    # the southern separators' Dy/Tb oxide not exported to Japan goes to Ganzhou's metal makers
    row = one(edges, "cn-creg-south-sep", "cn-ganzhou-metal-agg", "heavy_oxide")
    row["flow_t"] = f"{SOUTH_SPLIT - oxide:.1f}"
    row["note"] = re.sub(
        r"less [\d,.]+ t Dy/Tb oxide exported to Japan",
        f"less {oxide:.1f} t Dy/Tb oxide exported to Japan",
        row["note"],
    )
    for r in lines:
        if r["node"] == "jp-re-metal-agg" and r["line"] == "dy_tb":
            r["baseline_units"] = f"{oxide + metal:.0f}"


def stale_us_sources_11q(edges):
    """11q-2: China's US rows kept by A16 cite China's 2024 customs return, not the back-cast."""
    for e in edges:
        if e["supplier"] == "cn-other-sintered-agg" and e["customer"] in (
            "us-industrial-users-agg",
            "us-defence-actuators-agg",
        ):
            e["source"] = STALE_US.sub(KEPT_US, e["source"])
            assert "7,444" not in e["source"], e["customer"]


def main():
    edges, efields = read("edges.csv")
    lines, lfields = read("lines.csv")
    check_start(edges)
    dy_tb_to_japan_11q(edges, lines)
    stale_us_sources_11q(edges)
    write("edges.csv", edges, efields)
    write("lines.csv", lines, lfields)


if __name__ == "__main__":
    main()
