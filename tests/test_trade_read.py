"""Reading trade statistics: the real fixtures' rows, the codes, and bad files located."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from supplygraph._errors import DataError
from supplygraph.analyses.trade import count_records
from supplygraph.dataset.trade import read_trade_files
from supplygraph.dataset.trade_codes import load_code_list, load_hs_table

TRADE = Path(__file__).parent / "data" / "trade"
COMTRADE = TRADE / "comtrade-cn-850511-2024.csv"
MONTHLY = TRADE / "comtrade-cn-850511-2024-12.csv"
BACI = TRADE / "baci-cn-850511-2024.csv"
HS = load_hs_table()["hs"]
HEADER = "typeCode,freqCode,refYear,refMonth,period,reporterCode,flowCode,partnerCode,cmdCode,netWgt,primaryValue\n"  # noqa: E501


def read(*paths, **options):
    return read_trade_files(paths, HS, **options)


def china_exports():
    records = read(COMTRADE).records
    return records[(records["reporter_code"] == 156) & (records["flow"] == "X")]


def test_the_partners_add_up_to_the_world_row():
    exports = china_exports()
    world = exports[exports["partner_code"] == 0]
    partners = exports[exports["partner_code"] != 0]
    assert len(partners) == 187 and len(world) == 1
    # Comtrade, China's 2024 exports of 8505.11: 130,756,316.463 kg and USD 3,236,652,390
    assert partners["weight_t"].sum() == pytest.approx(130_756.316463, abs=1e-6)
    assert world["weight_t"].iat[0] == pytest.approx(130_756.316463, abs=1e-6)
    assert partners["value_usd"].sum() == world["value_usd"].iat[0] == 3_236_652_390


@pytest.mark.parametrize(
    ("code", "iso2", "tonnes"),
    [
        (699, "IN", 19_259.294),
        (842, "US", 17_748.539121),
        (251, "FR", 1_712.149),
        (490, "TW", 2_038.887),
    ],
)
def test_comtrade_codes_that_differ_from_iso_map_right(code, iso2, tonnes):
    codes = load_code_list()
    row = china_exports().set_index("partner_code").loc[code]
    assert codes.iso2(code) == iso2
    assert row["weight_t"] == pytest.approx(tonnes)


def test_namibia_is_na_not_a_missing_value():
    # BACI's list as copied has an empty ISO2 for Namibia (pandas read "NA" as missing)
    assert load_code_list().iso2(516) == "NA"


def test_aggregates_are_areas_reported_not_countries():
    codes = load_code_list()
    exports = china_exports()
    kinds = {code: codes.kind(code) for code in exports["partner_code"]}
    areas = sorted(code for code, kind in kinds.items() if kind == "area")
    assert areas == [527, 636, 899]  # Oceania nes, Rest of America nes, Areas nes
    assert kinds[0] == "world" and codes.name(899) == "Areas, nes"
    assert all(codes.iso2(code) == "" for code in (0, *areas))


def test_unit_value_rule_on_the_real_file():
    records = count_records(read(COMTRADE), load_hs_table())
    rows = records[
        (records["flow"] == "X")
        & (records["partner_code"] != 0)
        & (records["reporter_code"] == 156)
    ]
    # min(weight, value / 49.18 USD/kg) summed over the 187 partners: 65,012 t of 130,756 t
    assert rows["counted_t"].sum() == pytest.approx(65_011.8, abs=0.5)
    assert rows["set_aside_t"].sum() == pytest.approx(130_756.3 - 65_011.8, abs=0.5)
    india = rows.set_index("partner_code").loc[699]
    # India: USD 150,243,096 / 49.18 USD/kg = 3,054.9 t of 19,259.3 t (USD 7.8/kg: not NdFeB)
    assert india["counted_t"] == pytest.approx(150_243_096 / 49.18 / 1000)
    germany = rows.set_index("partner_code").loc[276]
    assert germany["counted_t"] == pytest.approx(546_473_023 / 49.18 / 1000)  # 11,111.7 t


def test_baci_file_is_read_with_its_units():
    records = read(BACI).records
    india = records.set_index("importer_code").loc[699]
    assert (india["exporter_code"], india["weight_t"], india["value_usd"]) == (
        156,
        19_259.294,
        pytest.approx(162_786_289.0),
    )
    assert records["weight_t"].isna().sum() == 1  # BACI's NA quantity


def test_monthly_rows_carry_their_month():
    records = read(MONTHLY).records
    assert set(records["period"]) == {"2024-12"} and set(records["month"]) == {12}


@pytest.mark.parametrize("packing", ["gzip", "zip"])
def test_gzip_and_zip_read_as_plain(tmp_path, packing):
    plain = read(BACI).records.drop(columns="file")
    if packing == "gzip":
        packed = tmp_path / "baci.csv.gz"
        packed.write_bytes(gzip.compress(BACI.read_bytes()))
    else:
        packed = tmp_path / "BACI_HS17_V202601.zip"
        with zipfile.ZipFile(packed, "w") as archive:
            archive.write(BACI, "BACI_HS17_Y2024_V202601.csv")
            archive.writestr("Readme.txt", "BACI")
    assert read(packed).records.drop(columns="file").equals(plain)


def test_a_zips_country_codes_replace_the_bundled_list(tmp_path):
    packed = tmp_path / "BACI.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr(
            "BACI_HS17_Y2024_V202601.csv", "t,i,j,k,v,q\n2024,156,4242,850511,49.18,1\n"
        )
        archive.writestr(
            "country_codes_V202601.csv",
            "country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n"
            "4242,Test land,DE,DEU\n",
        )
    found = read(packed)
    assert found.codes.iso2(4242) == "DE" and found.codes.iso2(699) == ""


def test_national_line_is_read_instead_of_its_heading(tmp_path):
    path = tmp_path / "gac.csv"
    path.write_text(
        HEADER
        + "C,A,2024,52,2024,156,X,276,850511,2000000,100000000\n"
        + "C,A,2024,52,2024,156,X,276,85051110,1500000,90000000\n"
    )
    counted = count_records(read(path), load_hs_table())
    assert counted["hs"].tolist() == ["85051110"]
    assert counted["counted_t"].tolist() == [1500.0]  # no unit-value rule on the national line


def located(tmp_path, name, text, **options):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(DataError) as caught:
        read(path, **options)
    return [str(issue) for issue in caught.value.issues], str(path)


def test_wrong_columns(tmp_path):
    issues, path = located(tmp_path, "x.csv", "year,exporter,value\n2024,156,1\n")
    assert issues == [
        f"{path}:1: -: not a trade file: expected BACI's header t,i,j,k,v,q or Comtrade's "
        "columns reporterCode, partnerCode, flowCode, cmdCode, primaryValue (found year, "
        "exporter, value)"
    ]
    issues, path = located(
        tmp_path, "c.csv", "reporterCode,partnerCode,flowCode,cmdCode\n1,2,X,3\n"
    )
    assert f"{path}:1: primaryValue: required column missing from header" in issues


def test_unknown_code_text_in_numbers_and_every_problem_listed(tmp_path):
    text = (
        HEADER
        + "C,A,2024,52,2024,156,X,9999,850511,10,20\nC,A,2024,52,2024,156,X,276,850511,lots,20\n"
    )
    issues, path = located(tmp_path, "c.csv", text)
    assert issues == [
        f"{path}:2: partnerCode: unknown country or area code 9999 (in neither BACI's country "
        "list country_codes_V202601.csv nor Comtrade's partner areas)",
        f"{path}:3: netWgt: not a number: 'lots'",
    ]


def test_empty_file_and_truncated_gzip(tmp_path):
    issues, path = located(tmp_path, "empty.csv", "")
    assert issues == [f"{path}:1: -: file is empty (expected a header row)"]
    whole = gzip.compress(BACI.read_bytes())
    issues, path = located(tmp_path, "cut.csv.gz", whole[: len(whole) // 2])
    assert len(issues) == 1 and issues[0].startswith(f"{path}: cannot read")
    assert "truncated" in issues[0]


def test_a_flow_given_twice(tmp_path):
    row = "C,A,2024,52,2024,156,X,276,850511,10,20\n"
    issues, path = located(tmp_path, "c.csv", HEADER + row + row)
    assert issues[0].startswith(f"{path}:3: -: the same flow as {path}:2")


def test_breakdown_rows_are_left_for_their_total(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "period,reporterCode,flowCode,partnerCode,cmdCode,customsCode,motCode,netWgt,primaryValue\n"
        "2024,156,X,276,850511,C00,0,3000,1000\n2024,156,X,276,850511,C01,0,1000,300\n"
        "2024,156,X,276,850511,C00,2100,2000,700\n"
    )
    assert read(path).records["weight_t"].tolist() == [3.0]


def test_a_country_codes_file_among_the_files_is_the_code_list(tmp_path):
    codes = write_codes(tmp_path / "country_codes_V202699.csv")
    trade = tmp_path / "baci.csv"
    trade.write_text("t,i,j,k,v,q\n2024,156,4242,850511,49.18,1\n")
    found = read(trade, codes)
    assert found.codes.iso2(4242) == "DE" and found.records["importer_code"].tolist() == [4242]


def write_codes(path):
    path.write_text(
        "country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n"
        "4242,Test land,DE,DEU\n"
    )
    return path


def test_a_format_forced_on_another_file(tmp_path):
    issues, path = located(tmp_path, "c.csv", COMTRADE.read_text(), format="baci")
    assert issues == [f"{path}:1: -: expected BACI's header t,i,j,k,v,q"]
    issues, path = located(tmp_path, "b.csv", BACI.read_text(), format="comtrade")
    assert f"{path}:1: reporterCode: required column missing from header" in issues
