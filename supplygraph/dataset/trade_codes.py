"""The code lists of trade statistics: countries and areas by number, HS codes to materials."""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from .._errors import DataError, Issue
from . import schema

CODES_FOLDER = "trade_codes"
BACI_COUNTRY_CODES = "country_codes_V202601.csv"
COMTRADE_AREAS = "comtrade_partnerAreas.json"
COUNTRY_CODES_HEADER = ("country_code", "country_name", "country_iso2", "country_iso3")
WORLD = 0
# Taiwan's trade is recorded under 490 "Other Asia, nes" (trade_codes/README.md): the override
TAIWAN = (490, "TW")

HS_COLUMNS = (
    "hs", "group", "materials", "description", "reo_per_t", "usd_per_kg", "source", "status",
    "note",
)  # fmt: skip
HS_FILE = "hs.csv"


@dataclass(frozen=True)
class CodeList:
    """Which numeric codes of a trade file are countries (ISO 3166 alpha-2) and which areas."""

    countries: dict[int, str]
    names: dict[int, str]
    source: str

    def kind(self, code: int) -> str:
        """Return ``country``, ``world``, ``area`` (named, not a country) or ``unknown``.

        Parameters
        ----------
        code
            A reporter, partner, exporter or importer code.

        Returns
        -------
        str

        Examples
        --------
        >>> codes = load_code_list()
        >>> [codes.kind(c) for c in (699, 490, 0, 899, 9999)]
        ['country', 'country', 'world', 'area', 'unknown']
        """
        if code in self.countries:
            return "country"
        if code == WORLD:
            return "world"
        return "area" if code in self.names else "unknown"

    def iso2(self, code: int) -> str:
        """Return the ISO 3166 alpha-2 code of a country code ("" for any other code).

        Parameters
        ----------
        code
            A numeric code.

        Returns
        -------
        str

        Examples
        --------
        >>> codes = load_code_list()
        >>> [codes.iso2(c) for c in (842, 699, 251, 757, 579, 490, 516, 899)]
        ['US', 'IN', 'FR', 'CH', 'NO', 'TW', 'NA', '']
        """
        return self.countries.get(code, "")

    def name(self, code: int) -> str:
        """Return the publisher's name of a code ("" when it has none).

        Parameters
        ----------
        code
            A numeric code.

        Returns
        -------
        str
        """
        return self.names.get(code, "")


def _codes_file(name: str) -> Path:
    return Path(str(resources.files("supplygraph.dataset").joinpath(CODES_FOLDER, name)))


def load_code_list(country_codes: str | os.PathLike[str] | bytes | None = None) -> CodeList:
    """Read BACI's country list (the bundled one, or ``country_codes``) and Comtrade's areas.

    A code is a country when its ISO2 cell, or where that is empty the ISO2 that pycountry
    gives for its ISO3 cell, is an ISO 3166 code; 490 is Taiwan; other codes of either list
    are areas (trade_codes/README.md).

    Parameters
    ----------
    country_codes
        A ``country_codes_*.csv`` of a BACI release (a path, or its bytes); the bundled
        V202601 list when None.

    Returns
    -------
    CodeList

    Raises
    ------
    DataError
        When the country list lacks its columns or has a code that is not a number.
    """
    import pycountry  # only here: the command line's --help stays light

    if country_codes is None or isinstance(country_codes, os.PathLike | str):
        path = Path(country_codes) if country_codes is not None else _codes_file(BACI_COUNTRY_CODES)
        shown, data = str(path), path.read_bytes()
        if country_codes is None:  # the bundled list, named the same on every machine
            shown = f"supplygraph/dataset/{CODES_FOLDER}/{BACI_COUNTRY_CODES}"
    else:
        shown, data = "country_codes (in the zip)", country_codes
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if not rows or tuple(name.strip() for name in rows[0]) != COUNTRY_CODES_HEADER:
        raise DataError(
            [Issue(shown, 1, "-", f"expected the header {','.join(COUNTRY_CODES_HEADER)}")]
        )
    countries: dict[int, str] = {}
    names: dict[int, str] = {}
    issues = []
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        code_text, name, iso2, iso3 = ([*row, "", "", ""])[:4]
        if not code_text.strip().isdigit():
            issues.append(Issue(shown, line, "country_code", f"not a code: {code_text!r}"))
            continue
        code = int(code_text)
        names[code] = name.strip()
        if not iso2.strip() and iso3.strip():
            match = pycountry.countries.get(alpha_3=iso3.strip())
            iso2 = match.alpha_2 if match is not None else ""
        if iso2.strip() in schema.ISO_COUNTRIES:
            countries[code] = iso2.strip()
    if issues:
        raise DataError(issues)
    areas = json.loads(_codes_file(COMTRADE_AREAS).read_text(encoding="utf-8"))["results"]
    for area in areas:
        if str(area["id"]).isdigit():
            names.setdefault(int(area["id"]), area["text"])
    countries[TAIWAN[0]] = TAIWAN[1]
    return CodeList(countries, names, shown)


def load_hs_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and check the table of HS codes and the graph's materials (``data/hs.csv``).

    Parameters
    ----------
    path
        The table; the bundled ``hs.csv`` when None.

    Returns
    -------
    pandas.DataFrame
        One row per HS code (6 or 8 digits): its group, the graph's materials it counts
        (a list), t REO per t of product, the unit value (USD/kg) that separates
        rare-earth magnets from the rest of a heading (NaN where none is needed), source,
        status, note.

    Raises
    ------
    DataError
        Listing every problem, each with file, line and column.

    Examples
    --------
    >>> table = load_hs_table()
    >>> row = table.set_index("hs").loc["850511"]
    >>> row["group"], float(row["reo_per_t"]), float(row["usd_per_kg"])
    ('magnets', 0.35, 49.18)
    """
    from .io import bundled_data_dir

    path = Path(path) if path is not None else bundled_data_dir() / HS_FILE
    shown = str(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    issues = [
        Issue(shown, 1, name, "required column missing from header")
        for name in HS_COLUMNS
        if name not in table.columns
    ]
    if issues:
        raise DataError(issues)
    rows = []
    for line, row in enumerate(table.to_dict("records"), start=2):
        hs = row["hs"].strip()
        if not (hs.isdigit() and len(hs) in (6, 8)):
            issues.append(Issue(shown, line, "hs", f"expected 6 or 8 digits: {hs!r}"))
        if row["status"] not in schema.STATUSES:
            issues.append(Issue(shown, line, "status", f"unknown status {row['status']!r}"))
        numbers = {}
        for column in ("reo_per_t", "usd_per_kg"):
            text = row[column].strip()
            value = schema.parse_number(text) if text else float("nan")
            if value is None or value < 0 or (column == "reo_per_t" and not text):
                issues.append(Issue(shown, line, column, f"not a positive number: {text!r}"))
            numbers[column] = value
        rows.append({**row, **numbers, "hs": hs, "materials": schema.split_list(row["materials"])})
    if table["hs"].duplicated().any():
        line = int(table.index[table["hs"].duplicated()][0]) + 2
        issues.append(Issue(shown, line, "hs", "listed twice"))
    if issues:
        raise DataError(issues)
    return pd.DataFrame(rows, columns=list(HS_COLUMNS))
