"""Column names, vocabularies and units of the supplygraph CSV format."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

STAGES = ("mine", "separation", "metal", "magnet", "component", "manufacturer")
STAGE_RANK = {stage: rank for rank, stage in enumerate(STAGES)}

# The 17 rare-earth elements (IUPAC): lanthanides plus Sc and Y.
_ELEMENT_SYMBOLS = "Sc Y La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu"
ELEMENTS = tuple(_ELEMENT_SYMBOLS.split())

STATUSES = ("reported", "estimate", "assumption")

# Readable names of the bundled sectors, for display only (files and options keep the ids).
SECTOR_LABELS = {
    "ev": "Electric vehicles",
    "automotive": "Other vehicles",
    "wind": "Wind turbines",
    "semiconductors": "Semiconductors",
    "defence": "Defence",
    "consumer_electronics": "Consumer electronics",
    "industrial": "Industrial",
    "unallocated": "End use not split",
}


def sector_label(sector: str) -> str:
    """Return a sector's readable name: its label, else the id with spaces.

    Parameters
    ----------
    sector
        A sector id.

    Returns
    -------
    str

    Examples
    --------
    >>> sector_label("consumer_electronics"), sector_label("medical_devices")
    ('Consumer electronics', 'Medical devices')
    """
    return SECTOR_LABELS.get(sector, sector.replace("_", " ").capitalize())


def sector_id(text: str, known: Iterable[str]) -> str | None:
    """Return the id of the sector a user named by its id or its label, or None.

    The one place a sector's name is read back: every option and selector that takes a
    sector accepts ``ev``, ``Electric vehicles`` or ``electric vehicles`` alike.

    Parameters
    ----------
    text
        What the user wrote: an id, or a label in any case.
    known
        The sector ids of the data.

    Returns
    -------
    str or None
        The id, or None when ``text`` names none of ``known``.

    Examples
    --------
    >>> sector_id("Electric vehicles", ["ev", "wind"]), sector_id("wind", ["ev", "wind"])
    ('ev', 'wind')
    >>> sector_id("other vehicles", ["automotive"]), sector_id("cars", ["ev"]) is None
    ('automotive', True)
    """
    ids = [str(k) for k in known if k]
    if text in ids:
        return text
    wanted = " ".join(text.split()).casefold()
    for sector in ids:
        if wanted in (sector.casefold(), sector_label(sector).casefold()):
            return sector
    return None


ID_CHARACTERS = r"[A-Za-z0-9_.:-]+"
ID_PATTERN = re.compile(ID_CHARACTERS)  # use with fullmatch

# A number cell: a plain decimal in ASCII digits, optionally with an exponent (no sign but
# a leading minus, which is then reported as negative; no "_" grouping, no inf or nan).
NUMBER_CHARACTERS = r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_NUMBER_PATTERN = re.compile(NUMBER_CHARACTERS)

# Largest credible value of each number column, and why (README, "Data format").
NUMBER_BOUNDS = {
    "flow_t": (1e9, "t/yr; world rare-earth output is about 4e5 t/yr"),
    "capacity_t": (1e9, "t/yr; world rare-earth output is about 4e5 t/yr"),
    "stock_days": (3650.0, "ten years of stock"),
    "flow_t_low": (1e9, "t/yr; world rare-earth output is about 4e5 t/yr"),
    "flow_t_high": (1e9, "t/yr; world rare-earth output is about 4e5 t/yr"),
    "capacity_t_low": (1e9, "t/yr; world rare-earth output is about 4e5 t/yr"),
    "capacity_t_high": (1e9, "t/yr; world rare-earth output is about 4e5 t/yr"),
    "stock_days_low": (3650.0, "ten years of stock"),
    "stock_days_high": (3650.0, "ten years of stock"),
    "baseline_units_low": (1e12, "products a year; the world makes about 1e9 phones a year"),
    "baseline_units_high": (1e12, "products a year; the world makes about 1e9 phones a year"),
    "extraterritorial_pct": (100.0, "a share of value in percent"),
    "baseline_units": (1e12, "products a year; the world makes about 1e9 phones a year"),
    "share": (1.0, "a licensed share"),
    "days": (3650.0, "ten years in transit"),
    "days_low": (3650.0, "ten years in transit"),
    "days_high": (3650.0, "ten years in transit"),
    "value": (1e9, "tonnes in a month, or their average"),
    "share_pct": (100.0, "a share in percent"),
    "plants": (10000.0, "plants or lines in one aggregate"),
    "exports_t": (1e9, "tonnes in a month"),
    "normal_t": (1e9, "tonnes in a month"),
    "total_share": (100.0, "a month's exports over the same month of the year before"),
}
# 0 would make every item controlled; a shipment takes at least a day
POSITIVE_COLUMNS = frozenset({"extraterritorial_pct", "days", "days_low", "days_high", "normal_t"})
# Smallest credible value above 0 of the tonnage columns, and why: rerouting counts tonnes
# below a milligram as none, and the solver cannot scale figures near the float's smallest
# (1e-320 t made it fail).
NUMBER_SMALLEST = {
    "flow_t": (1e-9, "t/yr; a milligram a year, which rerouting counts as none"),
    "capacity_t": (1e-9, "t/yr; a milligram a year, which rerouting counts as none"),
    "value": (1e-9, "t; a milligram"),
}

NODE_COLUMNS = (
    "id",
    "name",
    "stage",
    "country",
    "company",
    "sector",
    "capacity_t",
    "stock_days",
    "source",
    "status",
    "note",
    "capacity_t_low",
    "capacity_t_high",
    "stock_days_low",
    "stock_days_high",
)
NODE_REQUIRED = ("id", "name", "stage", "country")
NODE_NUMERIC = (
    "capacity_t",
    "stock_days",
    "capacity_t_low",
    "capacity_t_high",
    "stock_days_low",
    "stock_days_high",
)

EDGE_COLUMNS = (
    "supplier",
    "customer",
    "material",
    "elements",
    "flow_t",
    "source",
    "status",
    "licence",
    "note",
    "line",
    "from_line",
    "flow_t_low",
    "flow_t_high",
    "range_group",
)
EDGE_REQUIRED = ("supplier", "customer", "material", "elements", "flow_t")
EDGE_NUMERIC = ("flow_t", "flow_t_low", "flow_t_high")
# A figure's range (optional): ``<figure>_low`` <= figure <= ``<figure>_high``, both or neither
# given; edges of one split share a ``range_group`` (README, "Data format").
RANGED = {
    "edges": ("flow_t",),
    "nodes": ("capacity_t", "stock_days"),
    "lines": ("baseline_units",),
    "transit": ("days",),
}
# The basis of a range, as the row's source cell states it at its end (`range (<kind>): ...`,
# data/SOURCES.md 11n): a source's own interval, two sources' disagreement, or a stated rule
# (the last is not a sourced range: docs/data-quality.md, "Ranges")
RANGE_BASIS = re.compile(r" ; range \((interval|sources|rule)\): ")

# lines.csv (optional): product lines inside a node, and makers' output in their own units.
LINE_COLUMNS = (
    "node",
    "line",
    "sector",
    "unit",
    "baseline_units",
    "source",
    "status",
    "note",
    "baseline_units_low",
    "baseline_units_high",
)
LINE_REQUIRED = ("node", "line")
LINE_NUMERIC = ("baseline_units", "baseline_units_low", "baseline_units_high")

# An overlay folder (dataset.overlay) has the dataset's tables with these columns more:
# ``replace`` (``yes``: the row replaces the base row with its id, or its edge key) and, on
# edges, ``takes_from`` (the base node whose flow of the same material, to or from the
# same other end, the row is a share of: that flow is reduced by it).
OVERLAY_NODE_COLUMNS = (*NODE_COLUMNS, "replace")
OVERLAY_EDGE_COLUMNS = (*EDGE_COLUMNS, "replace", "takes_from")
LAYERS = ("base", "overlay")  # a row's ``layer`` in the tables of a dataset with overlays

# The dated simulation's tables (optional in a dataset; the bundled ones otherwise).
APPROVAL_COLUMNS = ("path", "destination", "from", "share", "source", "status", "note")
APPROVAL_REQUIRED = ("path", "from", "share")
TRANSIT_COLUMNS = (
    "origin",
    "destination",
    "days",
    "source",
    "status",
    "note",
    "days_low",
    "days_high",
)
TRANSIT_REQUIRED = ("origin", "destination", "days")
CAPACITY_COLUMNS = ("node", "from", "capacity_t", "source", "status", "note")
CAPACITY_REQUIRED = ("node", "from", "capacity_t")
# plants.csv (optional): how many plants (or lines) an aggregate node stands for.
PLANT_COLUMNS = ("node", "plants", "source", "status", "note")
AGGREGATE_SUFFIX = "-agg"  # the data's ids of nodes that stand for many plants
PLANT_REQUIRED = ("node", "plants", "source", "status")
# destination_months.csv (optional): a destination's exports in a month over its normal month,
# beside the total's share of its month: the evidence for the queue's destination effect.
DESTINATION_MONTH_COLUMNS = (
    "destination", "month", "exports_t", "normal_t", "total_share", "source", "status", "note",
)  # fmt: skip
DESTINATION_MONTH_REQUIRED = (
    "destination",
    "month",
    "exports_t",
    "normal_t",
    "total_share",
    "source",
    "status",
)
# The backtest's checks: monthly series (a YYYY-avg row is each series' baseline) and events.
OBSERVED_COLUMNS = ("series", "month", "value", "unit", "source", "status", "note")
OBSERVED_REQUIRED = ("series", "month", "value")
EVENT_COLUMNS = ("event", "node", "line", "kind", "date", "earliest", "latest", "source", "note")
EVENT_REQUIRED = ("event", "node", "kind", "date", "earliest", "latest")
EVENT_KINDS = ("first_loss", "recovery")

# The days a dated run may cover, and its longest horizon (docs/cli.md, "timeline"): ten
# years, as for stock cover and transit times; and a calendar window that keeps the run, its
# transit times and approval delays far from the ends of the calendar, where date arithmetic
# and the charts' axes fail.
FIRST_RUN_DAY = dt.date(1900, 1, 1)
LAST_RUN_DAY = dt.date(2199, 12, 31)
MAX_RUN_DAYS = 3650

REGIME_COLUMNS = (
    "id",
    "title",
    "announcement",
    "issuer",
    "elements",
    "materials",
    "effective",
    "suspended_from",
    "suspended_until",
    "ends",
    "destinations",
    "extraterritorial_pct",
    "hypothetical",
    "source",
    "status",
)
REGIME_REQUIRED = ("id", "title", "issuer", "effective", "destinations")

# publishers.csv: whether a cited domain is a primary publisher's (the data-quality report).
PUBLISHER_COLUMNS = ("domain", "kind", "publisher", "note")
PUBLISHER_REQUIRED = ("domain", "kind", "publisher")
PUBLISHER_KINDS = ("primary", "secondary")
# a host name in lower case with at least one dot, as in "usgs.gov" (use with fullmatch)
DOMAIN_CHARACTERS = r"[a-z0-9-]+(?:\.[a-z0-9-]+)+"
# published.csv: published shares of a country in a stage (one material, or all of them).
PUBLISHED_COLUMNS = (
    "stage", "material", "country", "share_pct", "publisher", "source", "status", "note",
)  # fmt: skip
PUBLISHED_REQUIRED = ("stage", "country", "share_pct", "publisher", "source")

# Outflow may exceed inflow by this share before validation warns (rounding in sources).
MASS_BALANCE_TOLERANCE = 0.02

# ISO 3166-1 alpha-2 officially assigned codes.
_ISO_CODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
VN VU WF WS YE YT ZA ZM ZW
"""
ISO_COUNTRIES = frozenset(_ISO_CODES.split())


def split_list(cell: str) -> list[str]:
    """Split a semicolon-separated cell into stripped, non-empty items.

    Parameters
    ----------
    cell
        The cell.

    Returns
    -------
    list of str

    Examples
    --------
    >>> split_list(" Nd; Pr;;Dy ")
    ['Nd', 'Pr', 'Dy']
    """
    return [item.strip() for item in cell.split(";") if item.strip()]


def parse_number(text: str) -> float | None:
    """Return the value of a number cell (see ``NUMBER_CHARACTERS``), or None when it is not one.

    Python's ``float`` also takes ``1_000``, ``inf``, ``nan`` and non-ASCII digits; the data
    format does not.

    Parameters
    ----------
    text
        The cell.

    Returns
    -------
    float or None

    Examples
    --------
    >>> parse_number("1.5e3"), parse_number("1_000"), parse_number("nan"), parse_number("１２")
    (1500.0, None, None, None)
    """
    if not _NUMBER_PATTERN.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


_DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: str) -> dt.date | None:
    """Return the date of a ``YYYY-MM-DD`` text, or None when it is not one.

    ``date.fromisoformat`` also takes ``20250404`` and ``2025-W14-5``; the data format does not.

    Parameters
    ----------
    text
        The cell.

    Returns
    -------
    datetime.date or None

    Examples
    --------
    >>> parse_date("2025-04-04"), parse_date("4 April 2025"), parse_date("20250404")
    (datetime.date(2025, 4, 4), None, None)
    """
    if not _DATE_PATTERN.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


_MONTH_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}")


def parse_month(text: str) -> dt.date | None:
    """Return the first day of a ``YYYY-MM`` month, or None when the text is not one.

    Parameters
    ----------
    text
        The cell.

    Returns
    -------
    datetime.date or None

    Examples
    --------
    >>> parse_month("2025-05"), parse_month("2025-5"), parse_month("2025-13")
    (datetime.date(2025, 5, 1), None, None)
    """
    if not _MONTH_PATTERN.fullmatch(text):
        return None
    return parse_date(f"{text}-01")


def run_day_problem(day: dt.date) -> str | None:
    """Say why a dated run may not cover a day (outside the calendar window), or None.

    Parameters
    ----------
    day
        The day.

    Returns
    -------
    str or None

    Examples
    --------
    >>> run_day_problem(dt.date(2025, 4, 4)) is None
    True
    >>> run_day_problem(dt.date(9999, 12, 1))
    '9999-12-01 is outside the days a dated run may cover, 1900-01-01 to 2199-12-31'
    """
    if FIRST_RUN_DAY <= day <= LAST_RUN_DAY:
        return None
    return f"{day} is outside the days a dated run may cover, {FIRST_RUN_DAY} to {LAST_RUN_DAY}"
