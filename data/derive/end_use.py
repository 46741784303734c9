"""The aggregates whose end use no source splits get a sector of their own (SOURCES.md 11r).

usage: python3 end_use.py [DATA_DIR]      (after shock_electronics.py; idempotent)

Three aggregates stand for users that no source splits by end use: the Hong Kong hub with the
partners without a node of their own (11l), and the Vietnamese and Thai users of imported
magnets (11p). They carried the sector `industrial`, so the Industrial sector's figures held
some 10 kt of magnets whose use nobody reports. Their nodes and lines now carry the sector
`unallocated` ("End use not split"): the tonnes stay in the graph and in every total, and no
named sector claims them.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from issue24 import read, write

UNSPLIT = ("hk-reexport-other-agg", "vn-magnet-users-agg", "th-magnet-users-agg")
SECTOR = "unallocated"


def main():
    nodes, nfields = read("nodes.csv")
    lines, lfields = read("lines.csv")
    found = {n["id"] for n in nodes if n["id"] in UNSPLIT}
    if found != set(UNSPLIT):
        sys.exit(f"end_use.py: not the data of SOURCES.md 11p (missing {set(UNSPLIT) - found})")
    for row in [*nodes, *lines]:
        if row.get("id", row.get("node")) in UNSPLIT:
            row["sector"] = SECTOR
    write("nodes.csv", nodes, nfields, True)
    write("lines.csv", lines, lfields, True)
    print(f"{len(UNSPLIT)} aggregates: sector {SECTOR}")


if __name__ == "__main__":
    main()
