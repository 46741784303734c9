"""Apply line_rules.csv to edges.csv: adds `line` and `from_line` columns, splits grade-share edges.

usage: python3 apply_rules.py <data_dir> <lines.csv> <line_rules.csv> <out_edges.csv>
Rule semantics (see NOTES.md): a rule matches an edge when customer (id or *), material (or *),
supplier (id, * or empty) and elements (empty or the exact element set, order-insensitive) match.
Customer side: rules with a `line` whose named lines all exist on the customer, or an explicit
customer with empty `line` (= all lines). Supplier side: rules with a `from_line` existing on the
supplier, or a `share`. The most specific matching rule wins on each side
(customer id 4 > supplier id 2 > elements 1 > material 1).
"""

import collections
import csv
import sys

data, lines_path, rules_path, out = sys.argv[1:5]
with open(f"{data}/edges.csv", encoding="utf-8") as handle:
    E = list(csv.DictReader(handle))
fields = list(E[0].keys())
for c in ("line", "from_line"):
    if c not in fields:
        fields.append(c)
L = collections.defaultdict(set)
with open(lines_path, encoding="utf-8") as handle:
    for r in csv.DictReader(handle):
        L[r["node"]].add(r["line"])
with open(rules_path, encoding="utf-8") as handle:
    R = list(csv.DictReader(handle))


def es(x):
    return frozenset(i.strip() for i in x.split(";") if i.strip())


def match(rule, e):
    return (
        rule["customer"] in ("*", e["customer"])
        and rule["material"] in ("*", e["material"])
        and rule["supplier"] in ("", "*", e["supplier"])
        and (not rule["elements"] or es(rule["elements"]) == es(e["elements"]))
    )


def spec(rule):
    return (
        4 * (rule["customer"] != "*")
        + 2 * (rule["supplier"] not in ("", "*"))
        + (rule["elements"] != "")
        + (rule["material"] != "*")
    )


rows, log = [], collections.Counter()
for e in E:
    e = dict(e)
    e.setdefault("line", "")
    e.setdefault("from_line", "")
    c, s = e["customer"], e["supplier"]
    if c in L and not e["line"]:
        cand = [
            r
            for r in R
            if match(r, e)
            and not r["from_line"]
            and not r["share"]
            and (
                (r["line"] == "" and r["customer"] != "*")
                or (r["line"] and all(x in L[c] for x in r["line"].split(";")))
            )
        ]
        if cand:
            e["line"] = max(cand, key=spec)["line"]
    share = None
    if s in L and not e["from_line"]:
        cand = [
            r
            for r in R
            if match(r, e) and ((r["from_line"] and r["from_line"] in L[s]) or r["share"])
        ]
        if cand:
            best = max(cand, key=spec)
            if best["share"]:
                share = float(best["share"])
            else:
                e["from_line"] = best["from_line"]
    if share is None:
        rows.append(e)
        log["plain"] += 1
    else:
        f = float(e["flow_t"])
        a = dict(e, from_line="dy_tb_grade", flow_t=f"{f * share:g}")
        b = dict(
            e,
            from_line="ndpr_grade",
            flow_t=f"{f * (1 - share):g}",
            elements="Nd;Pr",
            note=(e.get("note", "") + " | " if e.get("note") else "")
            + f"split by line_rules.csv: {1 - share:.0%} Nd/Pr-only grade",
        )
        a["note"] = (
            e.get("note", "") + " | " if e.get("note") else ""
        ) + f"split by line_rules.csv: {share:.0%} Dy/Tb grade"
        rows += [a, b]
        log["split"] += 1
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=fields)
    w.writeheader()
    w.writerows(rows)
print(dict(log), "edges in", len(E), "out", len(rows))
