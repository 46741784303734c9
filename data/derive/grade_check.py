import collections
import csv
import sys

DATA = (
    sys.argv[1]
    if len(sys.argv) > 1
    else str(__import__("pathlib").Path(__file__).resolve().parents[1])
)
with open(DATA + "/edges.csv") as handle:
    E = list(csv.DictReader(handle))
with open(DATA + "/nodes.csv") as handle:
    N = {r["id"]: r for r in csv.DictReader(handle)}
intake = collections.Counter()
for e in E:
    intake[e["customer"]] += float(e["flow_t"])


# magnet grade shares as the edges carry them: the line each ndfeb_sintered edge leaves
# (set by apply_rules.py for every maker, then by grades.py for the Chinese makers)
def dyshare(e):
    return 1.0 if e["from_line"] == "dy_tb_grade" else 0.0


mag = collections.defaultdict(lambda: [0.0, 0.0])
dyin = collections.Counter()
ndin = collections.Counter()
for e in E:
    s = e["supplier"]
    if e["material"] == "ndfeb_sintered":
        f = float(e["flow_t"])
        d = dyshare(e)
        mag[s][0] += f * d
        mag[s][1] += f * (1 - d)
    if e["material"] == "dytb_metal":
        dyin[e["customer"]] += float(e["flow_t"])
    if e["material"] == "ndpr_metal":
        ndin[e["customer"]] += float(e["flow_t"])
for s, (a, b) in sorted(mag.items()):
    tot = a + b
    din = dyin[s]
    nin = ndin[s]
    if tot == 0:
        print(s, "zero")
        continue
    imp = din / (a) if a else 0
    print(
        f"{s:28s} dy={a:8.0f} nd={b:8.0f} share={a / tot:5.2f} dytb_in={din:6.0f} "
        f"ndpr_in={nin:7.0f} DyTb/RE_in={din / (din + nin) if din + nin else 0:5.3f} implied DyTb "
        f"share of RE in dy-grade={imp:5.3f}"
    )
print()
for n, r in N.items():
    if r["stage"] == "manufacturer":
        print(
            n,
            r["sector"],
            round(intake[n]),
            sorted({e["material"] for e in E if e["customer"] == n}),
        )
