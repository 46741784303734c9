"""The data-quality report: statuses and citation kinds per stage, published shares."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

import supplygraph as sg
from supplygraph._errors import DataError
from supplygraph.analyses.quality import quality_report, row_citations
from supplygraph.dataset.io import load_quality_tables

QUALITY = Path(__file__).parent / "data" / "quality"


def row(frame, **where):
    """The one row of a breakdown table where each column has its value."""
    chosen = frame
    for column, value in where.items():
        chosen = chosen[chosen[column] == value]
    assert len(chosen) == 1, where
    return chosen.iloc[0]


@pytest.fixture(scope="module")
def report():
    return quality_report(sg.load(QUALITY))


def copy_of_fixture(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(QUALITY, data)
    return data


def test_edges_by_status_per_stage(report):
    table = report.breakdown
    # mine: 3 edges, 600 + 300 + 100 = 1,000 t; one of each status
    mine = row(table, table="edges", stage="mine", by="status", value="reported")
    assert (mine["rows"], mine["flow_t"]) == (1, 600.0)
    assert mine["rows_pct"] == pytest.approx(100 / 3)  # 1 of 3 edges
    assert mine["flow_pct"] == pytest.approx(60.0)  # 600 / 1,000
    # separation: 400 t estimate, 200 t assumption of 600 t
    sep = row(table, table="edges", stage="separation", by="status", value="estimate")
    assert sep["flow_pct"] == pytest.approx(400 / 600 * 100)  # 66.67
    assert row(table, table="edges", stage="separation", by="status", value="reported")["rows"] == 0
    # all edges: 2,000 t; assumption 100 + 200 + 300 + 100 = 700 t on 4 of 7 edges
    every = row(table, table="edges", stage="all", by="status", value="assumption")
    assert every["rows"] == 4
    assert every["rows_pct"] == pytest.approx(400 / 7)  # 57.14
    assert every["flow_pct"] == pytest.approx(35.0)  # 700 / 2,000
    # no metal or component edges in the fixture: no rows for those stages
    assert set(table["stage"]) == {"mine", "separation", "magnet", "all"}


def test_edges_by_citation_kind_per_stage(report):
    table = report.breakdown
    # separation: USGS + a filing (both primary) on 400 t; trade press on 200 t
    primary = row(table, table="edges", stage="separation", by="citation", value="primary")
    assert (primary["rows"], primary["flow_t"]) == (1, 400.0)
    # magnet: "assumed: one buyer" (no URL) on 300 of 400 t
    none = row(table, table="edges", stage="magnet", by="citation", value="none")
    assert (none["rows"], none["flow_pct"]) == (1, 75.0)
    # mine: a filing beside trade press is secondary: 300 of 1,000 t
    secondary = row(table, table="edges", stage="mine", by="citation", value="secondary")
    assert secondary["flow_pct"] == pytest.approx(30.0)
    # all: primary 600 + 400 = 1,000 t, secondary 300 + 200 + 100 = 600 t, none 400 t
    flows = {
        kind: row(table, table="edges", stage="all", by="citation", value=kind)["flow_t"]
        for kind in ("primary", "secondary", "none")
    }
    assert flows == {"primary": 1000.0, "secondary": 600.0, "none": 400.0}
    assert "unclassified" not in set(table["value"])  # every domain is listed


def test_nodes_are_counted_over_all_without_tonnage(report):
    nodes = report.breakdown[report.breakdown["table"] == "nodes"]
    counts = dict(zip(nodes["by"] + ":" + nodes["value"], nodes["rows"]))
    # cn-mine (USGS), au-mine (www.filings...), my-sep (filings) are primary;
    # cn-sep and jp-mag cite the press; cn-mag and de-maker cite nothing
    assert counts == {
        "status:reported": 2,
        "status:estimate": 1,
        "status:assumption": 4,
        "citation:primary": 3,
        "citation:secondary": 2,
        "citation:none": 2,
    }
    assert nodes["flow_t"].isna().all()


def test_published_shares_beside_the_computed_ones(report):
    published = report.published.set_index("stage")
    # CN mines ship 600 + 100 = 700 of 1,000 t: 70% against 69%
    assert published.loc["mine", "computed_pct"] == pytest.approx(70.0)
    assert published.loc["mine", "difference_pct"] == pytest.approx(1.0)
    assert published.loc["mine", "citation"] == "primary"
    # sintered magnets: CN 300 of 300 + 100 t = 75% against 94%
    assert published.loc["magnet", "computed_pct"] == pytest.approx(75.0)
    assert published.loc["magnet", "citation"] == "secondary"
    # no metal stage in the data: no share to compare, rather than 0%
    assert math.isnan(published.loc["metal", "computed_pct"])


def test_every_row_is_marked_with_its_citation_kind(report):
    rows = row_citations(sg.load(QUALITY), report.kinds)
    assert len(rows) == 7 + 7  # nodes, then edges
    au = rows.iloc[1]  # au-mine cites www.filings.example.com: primary
    assert (au["file"], au["csv_line"], au["row"], au["citation"], au["domains"]) == (
        "nodes.csv",
        3,
        "au-mine",
        "primary",
        "filings.example.com",
    )
    ore = rows[rows["row"] == "au-mine -> my-sep (concentrate)"].iloc[0]
    # a filing beside trade press: secondary, both domains listed
    assert (ore["csv_line"], ore["stage"], ore["citation"], ore["flow_t"]) == (
        3,
        "mine",
        "secondary",
        300.0,
    )
    assert ore["domains"] == "filings.example.com; press.example.net"
    # the per-row kinds add up to the breakdown: 2 primary, 3 secondary, 2 none among edges
    edges = rows[rows["file"] == "edges.csv"]
    assert edges["citation"].value_counts().to_dict() == {"secondary": 3, "primary": 2, "none": 2}


def test_an_unlisted_domain_is_a_located_warning_once_per_file(tmp_path):
    data = copy_of_fixture(tmp_path)
    edges = (data / "edges.csv").read_text()
    edges = edges.replace("https://press.example.net/my", "https://new.example.org/a")
    edges = edges.replace("assumed: one buyer", "Buyer list – https://www.new.example.org/b")
    (data / "edges.csv").write_text(edges)
    report = quality_report(sg.load(data))
    assert [str(w) for w in report.warnings] == [
        f"{data / 'edges.csv'}:6: source: domain 'new.example.org' is not in publishers.csv: "
        "add it as primary or secondary; cited on 2 rows, this is the first"
    ]
    assert report.warnings[0].severity == "warning"
    # the two rows: 200 t of separation, 300 t of magnets
    magnet = row(
        report.breakdown, table="edges", stage="magnet", by="citation", value="unclassified"
    )
    assert magnet["flow_t"] == 300.0


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "publishers.csv",
            "press.example.net,secondary",
            "press.example.net,tertiary",
            "publishers.csv:3: kind: unknown kind 'tertiary'; expected one of primary, secondary",
        ),
        (
            "publishers.csv",
            "usgs.gov,primary",
            "www.usgs.gov,primary",
            "publishers.csv:4: domain: write 'www.usgs.gov' without 'www.'",
        ),
        (
            "publishers.csv",
            "usgs.gov,primary,US",
            "filings.example.com,primary,US",
            "publishers.csv:4: domain: duplicate domain 'filings.example.com' (first on line 2)",
        ),
        (
            "published.csv",
            "mine,,CN,69",
            "mine,,CN,ninety",
            "published.csv:2: share_pct: not a number: 'ninety'",
        ),
        (
            "published.csv",
            "magnet,ndfeb_sintered,CN,94",
            "magnet,ndfeb_sintered,CN,194",
            "published.csv:4: share_pct: 194 is above the largest credible value 100",
        ),
        (
            "published.csv",
            "metal,,CN",
            "smelter,,CN",
            "published.csv:3: stage: unknown stage 'smelter'",
        ),
        (
            "published.csv",
            "Mine output (USGS) – https://pubs.usgs.gov/mine.pdf,reported,\n",
            ",reported,\n",
            "published.csv:2: source: missing value",
        ),
    ],
)
def test_a_bad_row_of_the_quality_tables_is_a_located_error(tmp_path, file, old, new, message):
    data = copy_of_fixture(tmp_path)
    text = (data / file).read_text()
    assert old in text
    (data / file).write_text(text.replace(old, new, 1))
    with pytest.raises(DataError) as caught:
        load_quality_tables(data)
    found = [str(issue) for issue in caught.value.issues]
    assert any(issue.startswith(str(data / message)) for issue in found), found


def test_the_dated_tables_of_the_folder_are_checked_too(tmp_path):
    data = copy_of_fixture(tmp_path)
    (data / "events.csv").write_text(
        "event,node,line,kind,date,earliest,latest,source,note\n"
        "Plant stopped,de-maker,,first_loss,2025-06-01,2025-05-15,2025-06-15,"
        "Stoppage (USGS) – https://pubs.usgs.gov/e,Report – https://news.example.org/e\n"
    )
    warnings = quality_report(sg.load(data)).warnings
    # the note cites a domain the fixture's publishers.csv lacks; the source's is listed
    assert [str(w) for w in warnings] == [
        f"{data / 'events.csv'}:2: note: domain 'news.example.org' is not in publishers.csv: "
        "add it as primary or secondary"
    ]


def test_uncertain_edges_by_the_basis_of_their_range(tmp_path):
    # the fixture's 7 edges: 1 reported (line 2), 2 estimates (lines 3, 5), 4 assumptions.
    # Line 3 gets a range whose source states its basis (a rule), line 5 one that does not
    # say: of the 6 uncertain edges, 1 rule, 1 unstated, 4 none; the reported edge's range
    # (line 2) is not counted
    data = copy_of_fixture(tmp_path)
    path = data / "edges.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] += ",flow_t_low,flow_t_high"
    ends = {1: "500,700", 2: "150,450", 4: "300,500"}  # around 600, 300 and 400 t
    for i in range(1, len(lines)):
        lines[i] += "," + ends.get(i, ",")
    lines[2] = lines[2].replace(",estimate,", " ; range (rule): an estimate x 0.5-1.5,estimate,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = quality_report(sg.load(data)).breakdown
    ranges = table[(table["stage"] == "all") & (table["by"] == "range")].set_index("value")
    assert ranges["rows"].to_dict() == {
        "interval": 0,
        "sources": 0,
        "rule": 1,
        "unstated": 1,
        "none": 4,
    }
    assert ranges.loc["rule", "flow_t"] == 300.0 and ranges.loc["unstated", "flow_t"] == 400.0
