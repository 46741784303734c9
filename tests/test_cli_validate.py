"""supplygraph validate: counts, shares, and every problem in bad data."""

from __future__ import annotations

import shutil

import pandas as pd
from cli_helpers import TINY, invoke

from supplygraph.dataset.io import bundled_data_dir


def test_validate_prints_counts_and_shares():
    result = invoke("validate", "--data", str(TINY))
    assert result.exit_code == 0
    assert "8 nodes, 8 edges, 6 countries: OK" in result.stdout
    # mine output 800 t CN + 300 t AU: CN 800 / 1100 = 72.7%
    assert "CN 72.7%, AU 27.3%" in result.stdout


def test_bad_data_lists_every_problem_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    text = (data / "nodes.csv").read_text().replace("separation,MY", "smelter,MY")
    (data / "nodes.csv").write_text(text.replace("component,DE", "component,ZZ"))
    result = invoke("validate", "--data", str(data))
    assert result.exit_code == 2
    assert f"error: {data / 'nodes.csv'}:5: stage: unknown stage 'smelter'" in result.output
    assert f"error: {data / 'nodes.csv'}:7: country: invalid ISO" in result.output
    out = tmp_path / "out"
    assert invoke("simulate", "--data", str(data), "--out", str(out)).exit_code == 2
    assert not out.exists()


def test_validate_bundled_data_prints_the_published_shares():
    result = invoke("validate")
    assert result.exit_code == 0
    # as many as the files hold (the grade split makes two rows of many magnet edges)
    folder = bundled_data_dir()
    count = {name: len(pd.read_csv(folder / f"{name}.csv")) for name in ("nodes", "edges")}
    assert f"{count['nodes']} nodes, {count['edges']} edges" in result.stdout
    mine = next(line for line in result.stdout.splitlines() if line.strip().startswith("mine"))
    assert "CN 68.5%" in mine  # 270,000 of 394,405 t (USGS: 69%)


def test_validate_keeps_notes_behind_verbose_and_drops_zero_shares():
    quiet, verbose = invoke("validate"), invoke("validate", "-v")
    assert quiet.exit_code == verbose.exit_code == 0
    assert "recycling loops" not in quiet.output and "recycling loops" in verbose.stderr
    shares = quiet.stdout.split("Output by stage")[1].split("\n\n")[0]
    assert " 0.0%" not in shares  # a country that rounds to nothing is not listed


def test_an_empty_folder_is_no_dataset(tmp_path):
    result = invoke("validate", "--data", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"error: {tmp_path}: no dataset here: a dataset folder holds nodes.csv and edges.csv "
        "(and may hold lines.csv, regimes.csv and scenarios/)"
    )
    assert result.stderr.splitlines()[1] == "1 error in the data"  # validate writes nothing


QUALITY = TINY.parent / "quality"


def test_validate_prints_the_data_quality_report():
    result = invoke("validate", "--data", str(QUALITY))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    status = lines.index("Edges by status, per supplier stage (count, % of the stage's tonnes):")
    # mine: 600 t reported, 300 t estimate, 100 t assumption of 1,000 t
    assert lines[status + 1].split() == [
        "stage",
        "edges",
        *(["reported", "%", "of", "t", "estimate", "%", "of", "t"]),
        "assumption",
        "%",
        "of",
        "t",
    ]
    assert lines[status + 2].split() == ["mine", "3", "1", "60.0", "1", "30.0", "1", "10.0"]
    # all: 1 reported (600 of 2,000 t), 2 estimates (700 t), 4 assumptions (700 t)
    assert lines[status + 5].split() == ["all", "7", "1", "30.0", "2", "35.0", "4", "35.0"]
    citation = lines.index("Edges by citation (primary: all URLs on primary publishers' domains):")
    assert lines[citation + 1].split()[:3] == ["stage", "edges", "primary"]
    # magnet: none on 300 of 400 t, trade press on 100 t; no primary edge
    assert lines[citation + 4].split() == ["magnet", "2", "0", "-", "1", "25.0", "1", "75.0"]
    assert (
        "Nodes (7) by status: reported 2, estimate 1, assumption 4; "
        "by citation: primary 3, secondary 2, none 2"
    ) in " ".join(result.stdout.split())
    # CN mines: 700 of 1,000 t = 70.0% against USGS's 69
    assert ["CN", "mine", "70.0%", "USGS", "69%", "+1.0", "points", "primary"] in [
        line.split() for line in lines
    ]
    assert not result.stderr  # every cited domain is in the fixture's publishers.csv


def test_validate_writes_the_quality_report_with_the_same_bytes_and_safe_cells(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(QUALITY, data)
    text = (data / "published.csv").read_text().replace(",IEA,", ',"=HYPERLINK(""x"")",')
    (data / "published.csv").write_text(text)
    first, second = tmp_path / "a", tmp_path / "b"
    assert invoke("validate", "--data", str(data), "--quality-out", str(first)).exit_code == 0
    assert invoke("validate", "--data", str(data), "--quality-out", str(second)).exit_code == 0
    for name in ("quality.csv", "published-shares.csv", "citations.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    quality = (first / "quality.csv").read_text().splitlines()
    assert quality[0] == "table,stage,by,value,rows,rows_pct,flow_t,flow_pct"
    assert "edges,all,status,assumption,4,57.14,700.000,35.00" in quality  # 4 of 7 edges
    assert "nodes,all,citation,none,2,28.57,," in quality  # nodes carry no tonnage
    citations = (first / "citations.csv").read_text().splitlines()
    assert citations[0] == "file,csv_line,row,stage,status,citation,flow_t,domains"
    assert "edges.csv,4,cn-mine -> my-sep (concentrate),mine,assumption,none,100.000," in (
        citations
    )
    published = (first / "published-shares.csv").read_text()
    assert 'magnet,ndfeb_sintered,CN,400.000,75.00,94.00,-19.00,"\'=HYPERLINK(""x"")"' in (
        published
    )


def test_validate_warns_about_a_domain_publishers_csv_lacks(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(QUALITY, data)
    nodes = (data / "nodes.csv").read_text().replace("press.example.net/jp", "blog.example.org/jp")
    (data / "nodes.csv").write_text(nodes)
    result = invoke("validate", "--data", str(data))
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: {data / 'nodes.csv'}:7: source: domain 'blog.example.org' is not in "
        "publishers.csv: add it as primary or secondary\n"
    )
    assert "by citation: primary 3, secondary 1, none 2, unclassified 1" in " ".join(
        result.stdout.split()
    )


def test_a_bad_quality_table_is_a_located_error_and_prints_no_report(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(QUALITY, data)
    text = (data / "publishers.csv").read_text().replace("usgs.gov,primary", "usgs.gov,first")
    (data / "publishers.csv").write_text(text)
    out = tmp_path / "out"
    result = invoke("validate", "--data", str(data), "--quality-out", str(out))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {data / 'publishers.csv'}:4: kind: unknown kind 'first'; "
        "expected one of primary, secondary",
        "1 error in the data; nothing was written",  # --quality-out would have written
    ]
    assert result.stdout == "" and not out.exists()
    # without --quality-out validate writes nothing anyway, and says no more
    result = invoke("validate", "--data", str(data))
    assert result.exit_code == 2 and result.stderr.splitlines()[-1] == "1 error in the data"


def test_validate_checks_plants_csv_one_line_per_problem(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    for name in ("nodes.csv", "edges.csv"):  # the German carmaker becomes an aggregate
        text = (data / name).read_text()
        (data / name).write_text(text.replace("de-ev", "de-ev-agg"))
    plants = data / "plants.csv"
    header = "node,plants,source,status,note\n"
    plants.write_text(header + "de-ev-agg,4,Test fixture – https://example.org,assumption,\n")
    assert invoke("validate", "--data", str(data)).exit_code == 0  # a good table passes
    plants.write_text(
        header
        + "de-ev-agg,0,Test fixture – https://example.org,assumption,\n"  # 2: none
        + "de-motor,3,Test fixture – https://example.org,assumption,\n"  # 3: one plant node
        + "xx-plants-agg,3,Test fixture – https://example.org,assumption,\n"  # 4: unknown
        + "de-ev-agg,2.5,,,\n"  # 5: a fraction, no source or status, and a second count
    )
    before = plants.read_bytes()
    out = tmp_path / "out"
    result = invoke("validate", "--data", str(data), "--quality-out", str(out))
    assert result.exit_code == 2
    where = data / "plants.csv"
    assert result.stderr.splitlines() == [
        f"error: {where}:2: plants: expected a whole number of plants from 1: '0'",
        f"error: {where}:3: node: 'de-motor' is not an aggregate (an aggregate's id ends in "
        "'-agg'); only an aggregate splits into plants",
        f"error: {where}:4: node: unknown node 'xx-plants-agg' (not in nodes.csv)",
        f"error: {where}:5: node: a second count of plants for 'de-ev-agg' (first on line 2)",
        f"error: {where}:5: plants: expected a whole number of plants from 1: '2.5'",
        f"error: {where}:5: source: missing value",
        f"error: {where}:5: status: missing value",
        "7 errors in the data; nothing was written",
    ]
    assert result.stdout == "" and not out.exists()
    assert plants.read_bytes() == before  # the input is never modified


def test_validate_lists_the_dated_tables_and_plants_errors_together(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    (data / "plants.csv").write_text(
        "node,plants,source,status,note\nde-ev,2,Test fixture – https://example.org,estimate,\n"
    )
    (data / "transit.csv").write_text("origin,destination,days,source,status,note\nCN,*,-3,x,,\n")
    result = invoke("validate", "--data", str(data))
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert any(line.startswith(f"error: {data / 'transit.csv'}:2: days:") for line in errors)
    assert f"error: {data / 'plants.csv'}:2: node: 'de-ev' is not an aggregate" in result.stderr


def test_a_kind_of_citation_in_one_stage_only_is_a_column_of_every_stage(tmp_path):
    # an unlisted domain on one magnet edge: "unclassified" is a citation of the magnet
    # stage only; the other stages show 0 edges under it, and the report is printed (it
    # stopped with an IndexError when a stage lacked a kind another stage had)
    data = tmp_path / "data"
    shutil.copytree(QUALITY, data)
    edges = (data / "edges.csv").read_text().replace("press.example.net/jp", "blog.example.org/jp")
    (data / "edges.csv").write_text(edges)
    result = invoke("validate", "--data", str(data))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    table = result.stdout.split("Edges by citation")[1].split("\n\n")[0]
    assert "unclassifi" in table  # the header cell wraps in the test's narrow terminal
    magnet = next(line for line in table.splitlines() if line.strip().startswith("magnet"))
    mine = next(line for line in table.splitlines() if line.strip().startswith("mine"))
    # the magnet stage: the one unclassified edge, 100 t of its 400 t (25%); the mine stage
    # none of it, a cell all the same
    assert magnet.split()[-2:] == ["1", "25.0"]
    assert mine.split()[-2:] == ["0", "-"]
    assert len(magnet.split()) == len(mine.split())
