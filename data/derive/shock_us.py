"""Issue 24, the shock path's US block: the US chain, GE Saint-Nazaire, US yttrium users.

usage: python3 shock_us.py [DATA_DIR]     then: python3 grades.py [DATA_DIR]
                                           then: python3 ranges.py [DATA_DIR]

Runs on the data of main at d4fa28d and sets absolute values, so running it (and the two
scripts after it) twice gives the same rows; it refuses data it does not recognise
(`check_start`). Every change is written down in data/SOURCES.md 11s, with what the search
found for the rest of the block, before the backtest was run on it. China's rows are
written with the grade split of the rows they replace; grades.py then applies the one rule
(A25) to them, and ranges.py gives the changed rows their ranges.

What it changes (SOURCES.md 11s):

* 11s-1  Mexico's electric cars take traction motors made in Mexico, but the Mach-E's. The
         data booked their 128.3 t REO (220,000 BEVs x 0.583 kg REO by the rule of 11e) to
         the US motor makers ("supplier not in our sources", A16). GM's Ramos Arizpe complex
         builds the Blazer EV and Equinox EV and makes the Ultium Drive motors that power
         them (GM Authority, 2022 and 2023): the Mexican auto-parts and motor plants
         (`mx-auto-parts-agg`) ship the need of Mexico's EVs less the 53,904 Mustang Mach-E
         built in 2024 (AMIA, INEGI data), 96.9 t REO, from their Dy/Tb line. The Mach-E's
         31.4 t stay with the US motor makers: Ford made the 2024 Mach-E's e-motors
         in-house, Van Dyke (Michigan) builds electric motors, and the Mexican drive-unit
         plant (Irapuato) was announced in September 2024 (Ford Authority; the US plant is
         an inference). Both rows are estimates (units x the rule). The motors' magnets come
         out of China's customs total to Mexico (873 t REO, 11l), their need first (grades.py
         gives that part the Dy/Tb grade whole); the actuators get the rest, and the Chinese
         components (A33) cover the rest of Mexico's ancillary need.
* 11s-2  The US motor makers' need by the rule drops by Mexico's GM motors (to 675.1 t), so
         China's US rows (the part of the customs total after the industrial and defence
         users, A16) are split again by need between the EV-motor and auto-parts makers
         (still assumptions: they subtract the assumed 505 t); the US carmakers' ancillary
         parts from US makers and from China (A33) follow the new share.
* 11s-3  Chinese auto parts (`cn-auto-parts-agg`) ship what the two steps above ask of them
         (components to carmakers abroad, A33); the other Chinese makers' rows to them
         follow, and their industrial motors (the remainder of their output, A16) give up
         the same tonnes, so the makers' output is unchanged; the industrial motor makers
         pass their inflow on (11o) and the industrial users' line is their intake.

GE's Saint-Nazaire generator, the US yttrium users, the SmCo chain and the US split itself
keep their figures and status: no source found makes them estimates (SOURCES.md 11s lists
what the search found and why each stays an assumption).
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
DATA = Path(ARGS[0]) if ARGS else Path(__file__).resolve().parents[1]

GM_2022 = (
    "GM Confirms Chevy Equinox EV Production In Mexico: the Ramos Arizpe plant will also "
    "manufacture the Ultium battery pack and Ultium Drive motor that power the vehicle (GM "
    "Authority, 9 Sep 2022) – https://gmauthority.com/blog/2022/09/gm-confirmed-chevy-equinox-ev-"
    "production-in-mexico/"
)
GM_2023 = (
    "Chevy Equinox EV production to start this year in Mexico: Ramos Arizpe has made Ultium "
    "Drive motors since 2021; locally manufactured electric motors are used in the Mexican-made "
    "Blazer EV and Equinox EV (GM Authority, Nov 2023) – "
    "https://gmauthority.com/blog/2023/11/chevy-equinox-ev-production-to-start-this-year-in-mexico/"
)
AMIA = (
    "Producción de vehículos eléctricos e híbridos en México cae 12.5%: in 2024 the Chevrolet "
    "Equinox EV 61,002 units, the Ford Mustang Mach-E 53,904 (AMIA, INEGI data; Vanguardia, "
    "10 Mar 2026) – https://vanguardia.com.mx/dinero/produccion-de-vehiculos-electricos-e-"
    "hibridos-en-mexico-cae-un-125-JJ19546395"
)
FORD = (
    "Ford Plant In Mexico To Build Mustang Mach-E Drive Unit: Irapuato to build the Mach-E's "
    "primary power unit (announced September 2024); Van Dyke Electric Powertrain Center builds "
    "electric motors and transaxles; the 2024 Mach-E's new e-motors made in-house (Ford "
    "Authority, Sep 2024) – https://fordauthority.com/2024/09/ford-plant-in-mexico-to-build-"
    "mustang-mach-e-drive-unit/"
)
MACH_E = 53_904  # Mustang Mach-E built in Mexico in 2024 (AMIA, INEGI data)
MOTOR = "traction_motor"
US_PARTS, US_EV = "us-auto-actuators-agg", "us-ev-motor-agg"
US_CARS = ("us-tesla", "us-automakers-agg")
MX_CARS, MX_PARTS = "mx-automakers-agg", "mx-auto-parts-agg"
CN_PARTS, CN_OTHER, CN_JL = "cn-auto-parts-agg", "cn-other-sintered-agg", "cn-jl-mag"
CN_MOTORS, CN_USERS = "cn-industrial-motor-agg", "cn-industrial-users-agg"
KG_REO_EV = 0.5 * 1.166  # the rule of 11e: 0.5 kg of rare earths per electric car, as REO


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


def t(x):
    return f"{x:.1f}"


def find(edges, s, c, m=None):
    return [
        e
        for e in edges
        if s in (None, e["supplier"]) and e["customer"] == c and m in (None, e["material"])
    ]


def flow(edges, s, c, m=None):
    return sum(float(e["flow_t"]) for e in find(edges, s, c, m))


def scale(rows, total):
    """Set a pair's rows to a new total, in their earlier proportions (grades.py re-splits)."""
    was = sum(float(e["flow_t"]) for e in rows)
    assert was > 0, rows[0]["customer"]
    done = 0.0
    for e in rows[:-1]:
        e["flow_t"] = t(total * float(e["flow_t"]) / was)
        done += float(e["flow_t"])
    rows[-1]["flow_t"] = t(total - done)


def mx_units(lines):
    (row,) = [r for r in lines if r["node"] == MX_CARS and r["line"] == "ev"]
    return float(row["baseline_units"])


def check_start(edges):
    """Refuse data other than main's at d4fa28d, before or after this script."""
    before = flow(edges, US_EV, MX_CARS) == 128.3 and not find(edges, MX_PARTS, MX_CARS, MOTOR)
    after = flow(edges, US_EV, MX_CARS) + flow(edges, MX_PARTS, MX_CARS, MOTOR) < 128.4
    customs_mx = flow(edges, CN_OTHER, MX_PARTS)
    assert (before or after) and abs(customs_mx - 872.6) < 0.05, (
        "shock_us.py runs on main's data at d4fa28d (SOURCES.md 11s)"
    )


def mexico_11s(edges, lines):
    """11s-1: Mexico's EV traction motors: GM's from Mexican plants, Ford's from the US."""
    units = mx_units(lines)
    need = units * KG_REO_EV / 1000
    ford = round(MACH_E * KG_REO_EV / 1000, 1)
    mexican = round(need - ford, 1)
    customs = flow(edges, CN_OTHER, MX_PARTS)
    anc_need = flow(edges, MX_PARTS, MX_CARS, "actuator") + flow(
        edges, MX_PARTS, MX_CARS, "actuator_ht"
    )
    anc_need += flow(edges, CN_PARTS, MX_CARS)
    parts = customs - mexican
    rule = "x 0.5 kg REE x 1.166 = 0.583 kg REO each (rule of SOURCES.md 11e)"
    # China's customs total to Mexico: its single route, the Mexican parts and motor plants
    cn_rows = find(edges, CN_OTHER, MX_PARTS)
    head = cn_rows[0]["source"].split(" ; ")[0]  # China's customs total to Mexico
    cites = " ; ".join(
        x
        for x in cn_rows[0]["source"].split(" ; ")[1:]
        if x.startswith(("UN Comtrade", "Car companies", "Mapped"))
    )
    us_cites = find(edges, US_EV, "us-automakers-agg")[0]["source"].split(" ; ")
    iea_text = us_cites[1]
    oica = next(x for x in us_cites if x.startswith("Mapped"))
    why = (
        f"all of it to the Mexican auto-parts and motor plants, the only Mexican user of "
        f"Chinese magnets modelled (a country total for its single route, SOURCES.md 2): the "
        f"motor plants' need by the rule first, ({units:,.0f} electric cars built in Mexico "
        f"(lines.csv) less {MACH_E:,} Mustang Mach-E, whose motors came from the US) {rule} "
        f"= {mexican:.1f} t REO (GM Ramos Arizpe's Ultium Drive, SOURCES.md 11s), the "
        f"auto-parts makers the rest, their need by the rule being {anc_need:.1f} t REO"
    )
    for e in cn_rows:
        e["source"] = f"{head} ; {why} ; {cites} ; {iea_text} ; {AMIA} ; {GM_2022} ; {GM_2023}"
    # the carmakers' EV line: GM's motors from the Mexican plants, the Mach-E's from the US
    (us_row,) = find(edges, US_EV, MX_CARS, MOTOR)
    us_row["flow_t"] = t(ford)
    us_row["status"] = "estimate"
    us_row["source"] = (
        f"derived: {MACH_E:,} Ford Mustang Mach-E built in Mexico in 2024 (AMIA, INEGI data) "
        f"{rule} ; {iea_text} ; {AMIA} ; {FORD}"
    )
    us_row["note"] = (
        "One rule for every carmaker (SOURCES.md 11e): traction motors feed the electric and "
        "hybrid lines only; the Mach-E's e-motors made in-house by Ford in the US in 2024 (Van "
        "Dyke builds electric motors; the Mexican drive-unit plant at Irapuato was announced "
        "in September 2024), an inference from Ford Authority (SOURCES.md 11s)"
    )
    rows = find(edges, MX_PARTS, MX_CARS, MOTOR)
    if not rows:
        edges.insert(edges.index(us_row) + 1, dict(us_row, supplier=MX_PARTS))
        rows = find(edges, MX_PARTS, MX_CARS, MOTOR)
    (mx_row,) = rows
    mx_row["flow_t"] = t(mexican)
    mx_row["status"] = "estimate"
    mx_row["from_line"] = "dy_tb_magnets"  # a traction motor needs the Dy/Tb grade (A25)
    mx_row["source"] = (
        f"derived: ({units:,.0f} electric and hybrid vehicles (lines.csv) less {MACH_E:,} "
        f"Mustang Mach-E) {rule} ; {iea_text} ; {oica} ; {AMIA} ; {GM_2022} ; {GM_2023}"
    )
    mx_row["note"] = (
        "One rule for every carmaker (SOURCES.md 11e): traction motors feed the electric and "
        "hybrid lines only; made in Mexico (GM Ramos Arizpe's Ultium Drive), not by the US "
        "motor makers as before 11s"
    )
    # the parts pass on the rest; Chinese components (A33) the rest of the ancillary need
    mx_rows = find(edges, MX_PARTS, MX_CARS, "actuator") + find(
        edges, MX_PARTS, MX_CARS, "actuator_ht"
    )
    scale(mx_rows, parts)
    for e in mx_rows:
        e["source"] = re.sub(
            r"x [\d.]+ \(China's customs total to Mexico[^)]*\)",
            f"x {parts / anc_need:.3f} (China's customs total to Mexico less the motor plants' "
            f"need, over the need; SOURCES.md 11s)",
            e["source"],
        )
    scale(find(edges, CN_PARTS, MX_CARS), anc_need - parts)


def us_11s(edges):
    """11s-2: China's US rows split again by need, the US motor makers' need now smaller."""
    d_ev = sum(float(e["flow_t"]) for e in edges if e["supplier"] == US_EV)
    anc = {c: flow(edges, US_PARTS, c) + flow(edges, CN_PARTS, c) for c in US_CARS}
    d_act = sum(anc.values())
    users = (US_EV, US_PARTS)
    r_us = sum(flow(edges, s, u) for s in (CN_JL, CN_OTHER) for u in users)
    jl_share = sum(flow(edges, CN_JL, u) for u in users) / r_us
    new = {US_EV: r_us * d_ev / (d_ev + d_act), US_PARTS: r_us * d_act / (d_ev + d_act)}
    need_text = re.compile(
        r"by their need by the rule of SOURCES\.md 11e \([\d.]+ and [\d.]+ t REO"
        r"(; [^)]*, 11s)?\)"
    )
    for u, total in new.items():
        for s, part in ((CN_JL, jl_share), (CN_OTHER, 1 - jl_share)):
            rows = find(edges, s, u)
            scale(rows, total * part)
            for e in rows:
                e["source"] = need_text.sub(
                    f"by their need by the rule of SOURCES.md 11e ({d_ev:.1f} and {d_act:.1f} "
                    f"t REO; Mexico's GM electric cars take motors made in Mexico, 11s)",
                    e["source"],
                )
    share = new[US_PARTS] / d_act
    for c in US_CARS:
        rows = find(edges, US_PARTS, c)
        scale(rows, anc[c] * share)
        for e in rows:
            e["source"] = re.sub(
                r"x [\d.]+ \(the share US auto-parts makers' Chinese magnets cover\)",
                f"x {share:.3f} (the share US auto-parts makers' Chinese magnets cover)",
                e["source"],
            )
        scale(find(edges, CN_PARTS, c), anc[c] * (1 - share))


def chinese_parts_11s(edges, nodes):
    """11s-3: Chinese auto parts take in what they ship; industrial motors give it up."""
    country = {n["id"]: n["country"] for n in nodes}
    out = sum(float(e["flow_t"]) for e in edges if e["supplier"] == CN_PARTS)
    others = sum(
        float(e["flow_t"]) for e in edges if e["customer"] == CN_PARTS and e["supplier"] != CN_OTHER
    )
    rows = find(edges, CN_OTHER, CN_PARTS)
    was = sum(float(e["flow_t"]) for e in rows)
    scale(rows, out - others)
    abroad = sum(
        float(e["flow_t"])
        for e in edges
        if e["supplier"] == CN_PARTS and country[e["customer"]] != "CN"
    )
    for e in rows:
        e["source"] = re.sub(
            r"components to carmakers abroad [\d,]+ t, A33",
            f"components to carmakers abroad {abroad:,.0f} t, A33",
            e["source"],
        )
    ind = find(edges, CN_OTHER, CN_MOTORS)
    scale(ind, sum(float(e["flow_t"]) for e in ind) - (out - others - was))
    # the industrial motor makers pass their inflow on to the industrial users (11o's rule)
    inflow = sum(float(e["flow_t"]) for e in edges if e["customer"] == CN_MOTORS)
    (row,) = find(edges, CN_MOTORS, CN_USERS)
    row["flow_t"] = t(inflow)
    row["source"] = re.sub(
        r"component inflow [\d,.]+ t REO", f"component inflow {inflow:,.0f} t REO", row["source"]
    )


def users_line_11s(edges, lines):
    """The industrial users' one line in t REO is their intake (issue24.py, refresh_lines)."""
    (r,) = [r for r in lines if r["node"] == CN_USERS]
    r["baseline_units"] = f"{flow(edges, None, CN_USERS):.0f}"


def main():
    edges, efields = read("edges.csv")
    nodes, _ = read("nodes.csv")
    lines, lfields = read("lines.csv")
    check_start(edges)
    mexico_11s(edges, lines)
    us_11s(edges)
    chinese_parts_11s(edges, nodes)
    users_line_11s(edges, lines)
    write("edges.csv", edges, efields)
    write("lines.csv", lines, lfields)


if __name__ == "__main__":
    main()
