"""The trade commands: reconcile prints and writes, apply writes a dataset, bad files exit 2."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import TINY, invoke

from supplygraph.dataset.io import bundled_data_dir

TRADE = Path(__file__).parent / "data" / "trade"
COMTRADE = str(TRADE / "comtrade-cn-850511-2024.csv")
MONTHLY = str(TRADE / "comtrade-cn-850511-2024-12.csv")
BACI = str(TRADE / "baci-cn-850511-2024.csv")


@pytest.mark.parametrize("command", [["trade"], ["trade", "reconcile"], ["trade", "apply"]])
def test_help(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output


def test_reconcile_prints_and_writes_the_real_fixture(tmp_path):
    result = invoke("trade", "reconcile", COMTRADE, "--out", str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    out = result.output
    words = " ".join(out.split())  # wrapped to the terminal's width
    assert "World 130,756.316 t, its 187 partners 130,756.316 t (difference 0.000 t)" in words
    assert "Areas, nes (899) 73.410 t" in words
    assert "exporters' reports: of 130,756 t of 8505.11, 65,012 t counted" in words
    assert "Worst disagreements" in out and "CN        HK        magnets" in out
    table = pd.read_csv(tmp_path / "a" / "trade-reconcile.csv", keep_default_na=False)
    assert {"exporter", "importer", "hs", "material", "statistic_t", "graph_t", "ratio"} <= set(
        table.columns
    )
    us = table.set_index(["exporter", "importer"]).loc[("CN", "US")]
    # China reports 17,748.5 t (USD 395,313,453) of 8505.11 to the US: 8,038.1 t by the
    # unit-value rule; the US reports 7,078.9 t from China, all counted (USD 50.8/kg): the mirror
    assert us["report"] == "exporter"
    assert float(us["exporter_report_t"]) == pytest.approx(
        395_313_453 / 49.18 / 1000 * 0.35, abs=0.001
    )
    assert float(us["importer_report_t"]) == pytest.approx(7078.864 * 0.35, abs=0.001)
    again = invoke("trade", "reconcile", COMTRADE, "--out", str(tmp_path / "b"))
    assert again.exit_code == 0
    for name in ("trade-reconcile.csv", "trade-areas.csv", "trade-reconcile.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_reconcile_a_baci_file(tmp_path):
    result = invoke("trade", "reconcile", BACI, "--out", str(tmp_path / "r"), "--top", "3")
    assert result.exit_code == 0, result.output
    assert "BACI: of 137,248 t of 8505.11" in result.output
    areas = pd.read_csv(tmp_path / "r" / "trade-areas.csv")
    assert areas.empty  # BACI has no World rows and no areas in China's 2024 exports


def write(path: Path, data: str | bytes) -> str:
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


BAD = [
    ("wrong-columns.csv", "year,exporter,value\n2024,156,1\n", ":1: -: not a trade file"),
    (
        "unknown-code.csv",
        "t,i,j,k,v,q\n2024,156,9999,850511,1,1\n",
        ":2: j: unknown country or area code 9999",
    ),
    ("text.csv", "t,i,j,k,v,q\n2024,156,276,850511,1,lots\n", ":2: q: not a number: 'lots'"),
    ("empty.csv", "", ":1: -: file is empty"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD)
@pytest.mark.parametrize("command", ["reconcile", "apply"])
def test_a_bad_file_exits_2_located_and_writes_nothing(tmp_path, name, text, message, command):
    path = write(tmp_path / name, text)
    out = tmp_path / "out"
    result = invoke("trade", command, path, "--out", str(out))
    assert result.exit_code == 2
    assert f"error: {path}{message}" in result.output
    assert "nothing was written" in result.output and not out.exists()


def test_a_truncated_gzip_exits_2(tmp_path):
    whole = gzip.compress(Path(BACI).read_bytes())
    path = write(tmp_path / "cut.csv.gz", whole[: len(whole) // 2])
    result = invoke("trade", "reconcile", path, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "truncated" in result.output
    assert not (tmp_path / "out").exists()


def checksum(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def test_apply_writes_a_dataset_validate_accepts_and_simulate_runs(tmp_path):
    out = tmp_path / "new-data"
    result = invoke("trade", "apply", BACI, MONTHLY, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "73 edges of 12 country pairs scaled" in result.output  # CN->TH: 10 (SOURCES 11p)
    assert invoke("validate", "--data", str(out)).exit_code == 0
    simulated = invoke(
        "simulate", "-s", "2025-10-package", "--data", str(out), "--out", str(tmp_path / "s"),
        "--no-html", "--no-reroute", "--quiet",
    )  # fmt: skip
    assert simulated.exit_code == 0, simulated.output
    edges = pd.read_csv(out / "edges.csv", keep_default_na=False)
    jl_mag_de = edges[(edges["supplier"] == "cn-jl-mag") & (edges["customer"] == "de-ev-motor-agg")]
    # CN->DE: 3,657.4 t REO (BACI) over the graph's 3,889.1 t (China's own customs return
    # since issue 24, SOURCES.md 11l): each edge x 0.9404; JL Mag's 36.9 t (28.6 t before
    # SOURCES.md 11z) becomes 34.70 t
    assert jl_mag_de["flow_t"].iat[0] == pytest.approx(36.9 * 3657.411 / 3889.1, abs=0.001)
    # its range moves with it: the bundled 36.9 t has 27.7-46.1 t (an estimate's rule range
    # since 11z, derive/ranges.py), now 26.0-43.4 t
    bundled = pd.read_csv(bundled_data_dir() / "edges.csv", keep_default_na=False)
    was = bundled[(bundled["supplier"] == "cn-jl-mag") & (bundled["customer"] == "de-ev-motor-agg")]
    factor = 3657.411 / 3889.1
    for end in ("flow_t_low", "flow_t_high"):
        assert float(jl_mag_de[end].iat[0]) == pytest.approx(float(was[end].iat[0]) * factor)
    assert "; range (" in jl_mag_de["source"].iat[0]  # its basis kept
    observed = pd.read_csv(out / "observed.csv", keep_default_na=False)
    assert "2025-05" in set(observed[observed["series"] == "cn-magnet-exports-us"]["month"])
    us_december = observed[(observed["series"] == "cn-magnet-exports-us")]
    assert "2024-12" in set(us_december["month"])
    # a destination whose series has no baseline (no year of twelve months here, none in
    # the bundled observed.csv) is held back: its months would be shares of nothing
    assert "cn-magnet-exports-ae" not in set(observed["series"])
    assert "monthly rows held back" in result.output
    changes = pd.read_csv(out / "trade-changes.csv", keep_default_na=False)
    assert set(changes["change"]) == {"scaled", "not_added", "left_unchanged"}


def test_apply_never_modifies_the_dataset_read(tmp_path):
    data = tmp_path / "tiny"
    shutil.copytree(TINY, data)
    before = checksum(data)
    stat = write(tmp_path / "s.csv", "t,i,j,k,v,q\n2024,392,276,850511,19672,400\n")
    assert invoke("trade", "apply", stat, "--data", str(data), "--out", str(data)).exit_code == 2
    assert invoke("trade", "apply", stat, "--data", str(data), "--out", str(TINY)).exit_code == 2
    result = invoke("trade", "apply", stat, "--data", str(data), "--out", str(tmp_path / "n"))
    assert result.exit_code == 0, result.output
    again = invoke("trade", "apply", stat, "--data", str(data), "--out", str(tmp_path / "n"))
    assert again.exit_code == 0  # its own earlier set is replaced
    assert checksum(data) == before
    scaled = pd.read_csv(tmp_path / "n" / "edges.csv").set_index(["supplier", "customer"])
    assert scaled.loc[("jp-magnet", "de-motor"), "flow_t"] == pytest.approx(140.0)
    assert scaled.loc[("jp-magnet", "de-motor"), "status"] == "reported"  # x 0.35: hs.csv
    # the other rows are the original's, byte for byte
    original = (data / "edges.csv").read_text().splitlines()
    written = (tmp_path / "n" / "edges.csv").read_text().splitlines()
    assert [a for a, b in zip(original, written) if a != b] == [original[6]]


def test_a_year_without_rows_exits_2(tmp_path):
    result = invoke("trade", "reconcile", BACI, "--year", "2023", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert (
        f"error: {BACI}: no rows of 2023 with an HS code of hs.csv (years with such rows: 2024)"
        in (result.output)
    )
    assert not (tmp_path / "o").exists()


def test_the_bundled_flows_are_chinas_customs_return(tmp_path):
    # issue 23's close-out (SOURCES.md 11l, 12): China's magnet exports in the bundled data are
    # its 2024 customs return by partner, the partners without a node in the residual node;
    # applying the return again moves no edge by more than rounding
    out = tmp_path / "again"
    result = invoke(
        "trade", "apply", COMTRADE, "--residual", "hk-reexport-other-agg", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "172 pairs the graph lacks folded into hk-reexport-other-agg's flows" in result.output
    changes = pd.read_csv(out / "trade-changes.csv", keep_default_na=False)
    scaled = changes[changes["change"] == "scaled"]
    assert len(scaled) >= 60
    assert (scaled["factor"].astype(float) - 1).abs().max() < 1e-3
    # and their statuses are apply's: the pair's only edge (Denmark's) reported, the others
    # their own (grade rows and users' splits)
    assert (scaled["status_after"] == scaled["status_before"]).all()
    assert scaled.loc[scaled["importer"] == "DK", "status_after"].tolist() == ["reported"]


def test_japans_magnet_exports_are_its_customs_return_but_germany(tmp_path):
    # SOURCES.md 11t: the Japanese makers' exports to the USA, Korea and Thailand are Japan's
    # 2024 return by partner, so applying it again moves them by no more than rounding; its
    # German figure (8.9 t REO against the data's 215.1 t) is recorded, not applied
    rows = pd.read_csv(TRADE / "comtrade-jp-850511-2024.csv")
    world = rows["partnerCode"] == 0  # Japan's 44 partners add up to its World row
    assert rows.loc[~world, "netWgt"].sum() == pytest.approx(rows.loc[world, "netWgt"].sum())
    out = tmp_path / "japan"
    result = invoke("trade", "apply", str(TRADE / "comtrade-jp-850511-2024.csv"), "--out", str(out))
    assert result.exit_code == 0, result.output
    changes = pd.read_csv(out / "trade-changes.csv", keep_default_na=False)
    scaled = changes[changes["change"] == "scaled"].assign(
        factor=lambda d: d["factor"].astype(float)
    )
    factor = scaled.groupby("importer")["factor"].agg(["min", "max"])
    assert set(factor.index) == {"US", "KR", "TH", "DE"}
    # rows are written to 0.1 t: Korea's 5.572 t is 5.6 t, a factor of 0.995
    assert (factor.loc[["US", "KR", "TH"]] - 1).abs().max().max() < 0.01
    assert factor.loc["DE", "max"] < 0.05  # 8.9 / 215.1 = 0.041


def test_an_unknown_residual_node_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "n"
    result = invoke("trade", "apply", COMTRADE, "--residual", "nowhere", "--out", str(out))
    assert result.exit_code == 2
    assert "--residual nowhere: no such node" in result.output and not out.exists()
