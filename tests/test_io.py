"""Validation: every rule with a tiny fixture, each error located by file, line and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import supplygraph as sg
from supplygraph import DataError

TINY = Path(__file__).parent / "data" / "tiny"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(TINY, folder)
    return folder


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def errors(folder: Path) -> list[tuple[str, int, str, str]]:
    with pytest.raises(DataError) as caught:
        sg.load(folder)
    return [(Path(i.file).name, i.line, i.column, i.message) for i in caught.value.issues]


def test_tiny_fixture_is_valid():
    graph = sg.load(TINY)
    assert (graph.n_nodes, graph.n_edges) == (8, 8)
    assert graph.warnings == ()


# (file, old text, new text, expected file line, column, message fragment)
DEFECTS = [
    (
        "nodes.csv",
        "cn-sep,Chinese separator",
        "cn-mine,Chinese separator",
        4,
        "id",
        "duplicate id 'cn-mine' (first on line 2)",
    ),
    ("nodes.csv", "de-ev,German", "de ev!,German", 8, "id", "invalid id 'de ev!'"),
    ("edges.csv", "au-mine,my-sep", "ghost,my-sep", 3, "supplier", "unknown node 'ghost'"),
    ("edges.csv", "de-motor,de-ev", "de-motor,de-motor", 9, "customer", "self-loop"),
    ("edges.csv", "Dy;Tb,10,", "Dy;Tb,abc,", 5, "flow_t", "not a number: 'abc'"),
    ("edges.csv", "Dy;Tb,10,", "Dy;Tb,-5,", 5, "flow_t", "negative value: -5"),
    ("edges.csv", "Dy;Tb,10,", "Dy;Tb,nan,", 5, "flow_t", "not a finite number: 'nan'"),
    ("edges.csv", "Dy;Tb,10,", "Dy;Tb,inf,", 5, "flow_t", "not a finite number: 'inf'"),
    ("edges.csv", "Dy;Tb,10,", "Dy;Tb,,", 5, "flow_t", "missing value"),
    ("nodes.csv", "Oz Co,,400,", "Oz Co,,lots,", 5, "capacity_t", "not a number: 'lots'"),
    ("nodes.csv", "Oz Co,,400,", "Oz Co,,-400,", 5, "capacity_t", "negative value"),
    ("nodes.csv", "separation,MY", "smelter,MY", 5, "stage", "unknown stage 'smelter'"),
    (
        "edges.csv",
        "cn-sep,us-wind,ndpr_oxide,Nd;Pr",
        "cn-sep,us-wind,ndpr_oxide,Nd;Xx",
        8,
        "elements",
        "unknown element symbol 'Xx'",
    ),
    (
        "nodes.csv",
        "component,DE",
        "component,ZZ",
        7,
        "country",
        "invalid ISO 3166-1 alpha-2 code 'ZZ'",
    ),
    (
        "nodes.csv",
        "de-ev,German carmaker,manufacturer,DE,Car Co,ev",
        "de-ev,German carmaker,manufacturer,DE,Car Co,",
        8,
        "sector",
        "needs a sector",
    ),
    (
        "edges.csv",
        "my-sep,jp-magnet,ndpr_oxide",
        "cn-sep,jp-magnet,ndpr_oxide",
        6,
        "material",
        "duplicate edge cn-sep -> jp-magnet of 'ndpr_oxide' (first on line 4)",
    ),
    ("nodes.csv", "assumption,\nau-mine", "guess,\nau-mine", 2, "status", "unknown status"),
    ("edges.csv", "Nd;Pr,300,", "Nd;Pr,300,extra,", 3, "-", "expected 9 fields, found 10"),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "line", "column", "message"),
    DEFECTS,
    ids=[f"{d[0]}:{d[4]}:{d[5][:24]}" for d in DEFECTS],
)
def test_each_defect_is_located(data, file, old, new, line, column, message):
    replace(data / file, old, new)
    found = errors(data)
    assert any(
        f == file and ln == line and col == column and message in msg for f, ln, col, msg in found
    ), found


def test_missing_file(data):
    (data / "edges.csv").unlink()
    assert errors(data) == [("edges.csv", 0, "-", "file not found")]


def test_missing_folder(tmp_path):
    assert errors(tmp_path / "nowhere")[0][3] == "no such folder"


def test_empty_file(data):
    (data / "nodes.csv").write_text("", encoding="utf-8")
    assert errors(data) == [("nodes.csv", 1, "-", "file is empty (expected a header row)")]


def test_missing_required_column(data):
    replace(data / "nodes.csv", "id,name,stage,", "id,name,kind,")
    assert ("nodes.csv", 1, "stage", "required column missing from header") in errors(data)


def test_duplicate_header(data):
    replace(data / "edges.csv", "supplier,customer,material,", "supplier,customer,customer,")
    found = errors(data)
    assert ("edges.csv", 1, "customer", "duplicate column in header") in found


def test_non_utf8_bytes_are_located(data):
    path = data / "nodes.csv"
    path.write_bytes(path.read_bytes().replace(b"Oz Co,,400", b"Oz Caf\xe9,,400"))
    [(file, line, column, message)] = errors(data)
    assert (file, line, column) == ("nodes.csv", 5, "-")
    assert message.startswith("not UTF-8: byte 0xe9")


def test_utf8_bom_is_accepted(data):
    path = data / "nodes.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert sg.load(data).n_nodes == 8


def test_all_problems_are_collected(data):
    replace(data / "nodes.csv", "separation,MY", "smelter,MY")
    replace(data / "edges.csv", "au-mine,my-sep", "ghost,my-sep")
    found = errors(data)
    assert {(f, col) for f, _, col, _ in found} >= {
        ("nodes.csv", "stage"),
        ("edges.csv", "supplier"),
    }


def test_quoted_multiline_cell_keeps_line_numbers(data):
    replace(data / "nodes.csv", "Oz Co,,400", '"Oz\nCo",,400')
    replace(
        data / "nodes.csv",
        "jp-magnet,Japanese magnet plant,magnet",
        "jp-magnet,Japanese magnet plant,smelter",
    )
    # the record of my-sep spans lines 5-6, so jp-magnet's record starts on line 7
    assert ("nodes.csv", 7, "stage") in {(f, ln, col) for f, ln, col, _ in errors(data)}


def warnings_of(folder: Path) -> list[str]:
    return [str(w) for w in sg.load(folder).warnings]


def test_mass_balance_breach_warns(data):
    replace(
        data / "edges.csv",
        "jp-magnet,de-motor,ndfeb_sintered,Nd;Pr;Dy;Tb,200",
        "jp-magnet,de-motor,ndfeb_sintered,Nd;Pr;Dy;Tb,300",
    )
    # jp-magnet receives 150 + 10 + 50 = 210 t and ships 300 t > 210 x 1.02
    assert any(
        "mass balance: jp-magnet ships 300 t but receives 210 t" in w for w in warnings_of(data)
    )


def test_dead_end_warns(data):
    with (data / "nodes.csv").open("a", encoding="utf-8") as handle:
        handle.write("xx-sep,Stray separator,separation,VN,,,,,test,assumption,\n")
    with (data / "edges.csv").open("a", encoding="utf-8") as handle:
        handle.write("cn-mine,xx-sep,concentrate,La,5,test,assumption,,\n")
    assert any("xx-sep has no path to any manufacturer" in w for w in warnings_of(data))


def test_cycle_warns_but_loads(data):
    with (data / "edges.csv").open("a", encoding="utf-8") as handle:
        handle.write("de-motor,cn-sep,magnet_scrap,Nd;Pr,5,test,assumption,,\n")
    found = warnings_of(data)
    assert any("sit on recycling loops, which are allowed" in w for w in found)


def test_missing_source_warns(data):
    replace(data / "edges.csv", "200,Test fixture – https://example.org", "200,")
    assert any("edges.csv:7: source: no source given" in w for w in warnings_of(data))


def test_input_files_are_never_modified(data):
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    sg.load(data)
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before
