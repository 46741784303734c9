"""Scenarios: read from TOML files or composed from flags, with selectors parsed once."""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

from .._errors import ScenarioError
from ..dataset import schema
from ..dataset.io import bundled_data_dir
from .selectors import Selector, parse_selector

ACTIONS = ("cut", "throttle")
# Largest spare capacity, as a share of baseline output (1000: a thousand times more); a larger
# figure is a typo, and keeps assumed capacities finite.
MAX_SPARE = 1000.0


@dataclass(frozen=True)
class LicencePolicy:
    """How a regime bites: cut, or throttled to a licensed share, optionally for some places."""

    regime: str
    action: str = "cut"
    share: float = 0.0
    destinations: tuple[str, ...] | None = None
    approvals: str = ""  # a dated path of licensed shares (approvals.csv), for dated runs
    approval_delay_days: int = 0  # nothing licensed for this long after the regime bites
    origin: str = field(default="", compare=False)  # where it was written: file and key, or flag
    # an edge selector: shipments under a general licence, which need no case-by-case one
    general_licence: str = ""


@dataclass(frozen=True)
class Rule:
    """A cut or throttle of any selection of edges or nodes (a node cut is an outage).

    A rule may hold for a stretch of days only: from ``start`` through ``end`` (either may
    be open) it leaves ``share`` of the selection's flow or output, and after ``end`` the
    selection recovers along ``recovery``: points (days after ``end``, share), linear
    between them from (0, ``share``), the last at share 1. No points: back in full the day
    after ``end`` (a step).
    """

    select: Selector  # a selector text is parsed on construction
    action: str = "cut"
    share: float = 0.0
    origin: str = field(default="", compare=False)  # where it was written: file and key, or flag
    start: dt.date | None = None
    end: dt.date | None = None
    recovery: tuple[tuple[int, float], ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.select, str):
            object.__setattr__(self, "select", parse_selector(self.select))

    def share_on(self, day: dt.date | None) -> float | None:
        """Return the share the rule leaves on a day, or None when it does not hold then.

        Parameters
        ----------
        day
            The day; None (an undated static run): the rule's own share.

        Returns
        -------
        float or None

        Examples
        --------
        >>> rule = Rule("node:id=m", start=dt.date(2025, 5, 3), end=dt.date(2025, 5, 5),
        ...             recovery=((4, 1.0),))
        >>> [rule.share_on(dt.date(2025, 5, d)) for d in (2, 3, 5, 6, 8, 9, 10)]
        [None, 0.0, 0.0, 0.25, 0.75, 1.0, None]
        """
        if day is None or (self.start is None and self.end is None):
            return self.share
        if self.start is not None and day < self.start:
            return None
        if self.end is None or day <= self.end:
            return self.share
        after = (day - self.end).days
        points = [(0, self.share), *self.recovery]
        for (d0, s0), (d1, s1) in pairwise(points):
            if after <= d1:
                return s0 + (s1 - s0) * (after - d0) / (d1 - d0)
        return None

    def changes(self) -> list[dt.date]:
        """Return the days on which the rule's share changes (its start, each day of its
        recovery, and the day it is over).

        Returns
        -------
        list of datetime.date
        """
        days = [self.start] if self.start is not None else []
        if self.end is not None:
            last = self.recovery[-1][0] if self.recovery else 1
            room = (dt.date.max - self.end).days  # none past the calendar's last day
            days += [self.end + dt.timedelta(days=k) for k in range(1, min(last, room) + 1)]
        return days


@dataclass(frozen=True)
class SpareCapacity:
    """Spare capacity a scenario assumes for rerouting: selected nodes could make ``spare``
    (a share of their baseline output) more than their baseline."""

    select: Selector  # on nodes; a selector text is parsed on construction
    spare: float
    origin: str = field(default="", compare=False)  # where it was written: file and key, or flag

    def __post_init__(self) -> None:
        if isinstance(self.select, str):
            object.__setattr__(self, "select", parse_selector(self.select))
        if self.select.on != "nodes":
            raise ScenarioError(
                f"selector {self.select.text!r}: spare capacity is for nodes; "
                f"write node:{self.select.text}"
            )


# The dated run's dynamics after a shock (docs/model.md, "Dynamics after the shock").
# A rebuild rate above 1 per day would order more than the whole gap in a day.
MAX_REBUILD_RATE = 1.0
# A ramp-up longer than ten years is a typo (the bound on a run's length).
MAX_RAMP_UP_DAYS = 3650.0
DYNAMICS_KEYS = {
    "rebuild_rate",
    "ramp_up_days",
    "shift_orders",
    "new_links",
    "demand_follows_output",
}


@dataclass(frozen=True)
class Dynamics:
    """How buyers and suppliers adapt in a dated run (all off: the run without adaptation).

    ``rebuild_rate`` is the share of a stock gap a buyer orders on top of its usual flow
    each day (1/tau: BoARIO's orders include 1/tau of the gap); ``shift_orders`` moves
    orders a supplier cannot fill to the buyer's other suppliers of the material with
    spare capacity; with ``new_links`` too, what those cannot take goes to sellers of the
    material the buyer has no link with, where rerouting would allow a new link; suppliers
    with orders above their baseline run up to their capacity, reaching it after
    ``ramp_up_days``; with ``demand_follows_output`` a line orders its inputs only for
    what it can make.
    """

    rebuild_rate: float = 0.0  # per day; 0: stocks are not rebuilt above deliveries
    ramp_up_days: float = 30.0  # from baseline to capacity; an assumption (data/SOURCES.md)
    shift_orders: bool = False
    demand_follows_output: bool = False
    new_links: bool = False  # with shift_orders: orders may also go over new links

    @property
    def active(self) -> bool:
        """Whether any dynamic is on (else the run is the one without adaptation)."""
        return self.rebuild_rate > 0 or self.shift_orders or self.demand_follows_output


def check_dynamics(doc: object, where: str) -> Dynamics:
    """Return the dynamics of a ``[dynamics]`` table (or of options given as a dict).

    Parameters
    ----------
    doc
        The table: ``rebuild_rate`` (per day, 0 to 1), ``ramp_up_days`` (0 to 3650),
        ``shift_orders``, ``new_links`` (only with ``shift_orders``) and
        ``demand_follows_output`` (true or false); missing keys take the defaults.
    where
        Where it was given (file and key, or option), for messages.

    Returns
    -------
    Dynamics

    Raises
    ------
    ScenarioError
        Naming ``where`` and the key at fault.

    Examples
    --------
    >>> dynamics = check_dynamics({"rebuild_rate": 0.05, "shift_orders": True}, "x.toml: dynamics")
    >>> dynamics.rebuild_rate, dynamics.ramp_up_days, dynamics.shift_orders, dynamics.new_links
    (0.05, 30.0, True, False)
    """
    if not isinstance(doc, dict):
        _fail(f"{where}: expected a table ([dynamics])")
    unknown = set(doc) - DYNAMICS_KEYS  # type: ignore[arg-type]
    if unknown:
        _fail(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; expected "
            f"{', '.join(sorted(DYNAMICS_KEYS))}"
        )
    rate = doc.get("rebuild_rate", 0.0)  # type: ignore[union-attr]
    if not _is_number(rate) or not 0 <= rate <= MAX_REBUILD_RATE:
        _fail(
            f"{where}.rebuild_rate: expected a share of the stock gap ordered per day, "
            f"from 0 to {MAX_REBUILD_RATE:g} (0.05: a twentieth), got {rate!r}"
        )
    ramp = doc.get("ramp_up_days", Dynamics.ramp_up_days)  # type: ignore[union-attr]
    if not _is_number(ramp) or not 0 <= ramp <= MAX_RAMP_UP_DAYS:
        _fail(
            f"{where}.ramp_up_days: expected days from baseline to capacity, from 0 to "
            f"{MAX_RAMP_UP_DAYS:g}, got {ramp!r}"
        )
    shift = _bool(doc, "shift_orders", False, where)  # type: ignore[arg-type]
    new_links = _bool(doc, "new_links", False, where)  # type: ignore[arg-type]
    if new_links and not shift:
        _fail(f"{where}.new_links: new links carry shifted orders; set shift_orders = true too")
    return Dynamics(
        rebuild_rate=float(rate),
        ramp_up_days=float(ramp),
        shift_orders=shift,
        demand_follows_output=_bool(doc, "demand_follows_output", False, where),  # type: ignore[arg-type]
        new_links=new_links,
    )


@dataclass(frozen=True)
class Scenario:
    """A disruption scenario: which regimes bite on which date, and what else is cut."""

    name: str
    title: str = ""
    description: str = ""
    as_of: dt.date | None = None
    sources: tuple[str, ...] = ()
    licences: tuple[LicencePolicy, ...] = ()
    rules: tuple[Rule, ...] = ()
    capacity: tuple[SpareCapacity, ...] = ()
    ignore_suspensions: bool = False
    extraterritorial: bool = True
    default_stock_days: float = 0.0
    path: str = ""
    start: dt.date | None = None  # a dated run's first day
    end: dt.date | None = None  # its last day (default: a year after start)
    applicant: float | None = None  # a dated run's applicant quantile, beside the mean
    dynamics: Dynamics = Dynamics()  # a dated run's adaptation after the shock

    def __post_init__(self) -> None:
        check_licences(self.licences, name=self.name)

    def __repr__(self) -> str:
        parts = [f"{len(self.licences)} licence policies", f"{len(self.rules)} rules"]
        if self.capacity:
            parts.append(f"{len(self.capacity)} spare capacity")
        parts.append(f"as of {self.as_of}" if self.as_of else "as announced")
        title = self.title if len(self.title) <= 60 else self.title[:59] + "\u2026"
        return f"<Scenario {self.name!r}: {title!r}; {', '.join(parts)}>"

    def dated_parts(self) -> list[str]:
        """Return what only a dated run uses of this scenario (a static run ignores it).

        Returns
        -------
        list of str
            E.g. ``"days 2025-03-01 to 2026-02-28"``, ``"approval path 2025-observed"``.

        Examples
        --------
        >>> Scenario("s", start=dt.date(2025, 3, 1)).dated_parts()
        ['days from 2025-03-01']
        """
        parts = []
        if self.start or self.end:
            parts.append(
                f"days {self.start} to {self.end}"
                if self.start and self.end
                else f"days from {self.start}"
                if self.start
                else f"days to {self.end}"
            )
        paths = sorted({p.approvals for p in self.licences if p.approvals})
        parts += [f"approval path {path}" for path in paths]
        if any(p.approval_delay_days for p in self.licences):
            parts.append("approval delays")
        if any(r.start or r.end for r in self.rules):
            parts.append("the dates of its rules")
        if self.applicant is not None:
            parts.append(f"applicant {self.applicant:g}")
        return parts

    def with_changes(self, **changes: Any) -> Scenario:
        """Return a copy with some fields replaced.

        Parameters
        ----------
        **changes
            Fields and their new values.

        Returns
        -------
        Scenario
        """
        return replace(self, **changes)


def check_licences(
    licences: Sequence[LicencePolicy],
    *,
    name: str = "",
    regimes_of: Callable[[str], Iterable[str]] | None = None,
) -> None:
    """Refuse a regime that two licence policies name for a common destination.

    Two shares for one shipment leave it unclear which applies (the smaller? the later?),
    so a scenario names each regime once; it may name it again for destinations that do
    not overlap (cut to the US, throttled elsewhere). A policy without ``destinations``
    covers every destination.

    Parameters
    ----------
    licences
        The policies, in the order they were given.
    name
        The scenario's name, for a policy that does not say where it was written.
    regimes_of
        The regime ids a policy's ``regime`` stands for (``in-force``: every regime that
        is not hypothetical); by default the id itself.

    Raises
    ------
    ScenarioError
        Naming where the repeat and the first were written.

    Examples
    --------
    >>> check_licences([LicencePolicy("CN-2025-18", destinations=("US",)),
    ...     LicencePolicy("CN-2025-18", "throttle", 0.5, destinations=("JP",))])
    >>> check_licences([LicencePolicy("CN-2025-18", origin="--regime CN-2025-18"),
    ...     LicencePolicy("CN-2025-18", "throttle", 0.5, origin="--regime CN-2025-18=0.5")])
    Traceback (most recent call last):
    ...
    supplygraph._errors.ScenarioError: --regime CN-2025-18=0.5: regime CN-2025-18 is already \
named by --regime CN-2025-18, for the same destinations: name each regime once (or give each \
entry destinations of its own)
    """
    seen: dict[str, list[tuple[int, LicencePolicy]]] = {}
    for position, policy in enumerate(licences, 1):
        ids = regimes_of(policy.regime) if regimes_of else (policy.regime,)
        for regime_id in dict.fromkeys(ids):
            for first, earlier in seen.get(regime_id, []):
                if _overlap(earlier.destinations, policy.destinations):
                    via = ' (regime = "in-force")' if earlier.regime != regime_id else ""
                    raise ScenarioError(
                        f"{_where(policy, position, name)}: regime {regime_id} is already "
                        f"named by {_where(earlier, first, name)}{via}, for the same "
                        "destinations: name each regime once (or give each entry "
                        "destinations of its own)"
                    )
            seen.setdefault(regime_id, []).append((position, policy))


def _overlap(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> bool:
    """Whether two destination lists share a place (None: every destination)."""
    if a is None or b is None:
        return bool(a is None or a) and bool(b is None or b)
    return bool(set(a) & set(b))


def _where(policy: LicencePolicy, position: int, name: str) -> str:
    """Where a policy was written: its origin, else the scenario and its place."""
    return policy.origin or f"scenario {name!r}: licences[{position}]"


SCENARIO_KEYS = {
    "title",
    "description",
    "as_of",
    "sources",
    "licences",
    "rules",
    "capacity",
    "ignore_suspensions",
    "extraterritorial",
    "default_stock_days",
    "start",
    "end",
    "applicant",
    "dynamics",
    "uncertainty",  # ranges for Monte Carlo runs, read by supplygraph.analyses.montecarlo
}
# The keys of each array of tables.
TABLE_KEYS = {
    "licences": {
        "regime",
        "action",
        "share",
        "destinations",
        "approvals",
        "approval_delay_days",
        "general_licence",
    },
    "rules": {"select", "action", "share", "from", "until", "recovery_days", "recovery"},
    "capacity": {"select", "spare"},
}


def load_scenario(
    name_or_path: str | Path, *, data_dir: Path | None = None, overlays: Sequence[Path] = ()
) -> Scenario:
    """Load a scenario by bundled name, by name in ``data_dir/scenarios``, or from a TOML file.

    Parameters
    ----------
    name_or_path
        A scenario name or a TOML file.
    data_dir
        A dataset folder whose ``scenarios/`` is searched first.
    overlays
        Overlay folders whose ``scenarios/`` are searched before (the last first).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        For a missing file, bad TOML, unknown keys or invalid values.
    """
    path = find_scenario(name_or_path, data_dir=data_dir, overlays=overlays)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: arrays or tables nested too deeply") from None
    return scenario_from_dict(doc, name=path.stem, path=str(path))


def scenario_dirs(data_dir: Path | None = None, overlays: Sequence[Path] = ()) -> list[Path]:
    """Folders searched for named scenarios: the overlays' (the last first), the dataset's
    own, then the bundled ones.

    Parameters
    ----------
    data_dir
        A dataset folder, or None.
    overlays
        Overlay folders on top of it.

    Returns
    -------
    list of Path
    """
    dirs = [Path(folder) / "scenarios" for folder in reversed(overlays)]
    dirs += [data_dir / "scenarios"] if data_dir is not None else []
    return [*dirs, bundled_data_dir() / "scenarios"]


def find_scenario(
    name_or_path: str | Path, *, data_dir: Path | None = None, overlays: Sequence[Path] = ()
) -> Path:
    """Return the TOML file of a scenario name or path.

    Parameters
    ----------
    name_or_path
        A scenario name or a TOML file.
    data_dir
        A dataset folder whose ``scenarios/`` is searched first.
    overlays
        Overlay folders whose ``scenarios/`` are searched before (the last first).

    Returns
    -------
    Path
    """
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.is_file():
        if not candidate.is_file():
            raise ScenarioError(f"{candidate}: scenario file not found")
        return candidate
    dirs = scenario_dirs(data_dir, overlays)
    for folder in dirs:
        if (folder / f"{name_or_path}.toml").is_file():
            return folder / f"{name_or_path}.toml"
    known = ", ".join(sorted(p.stem for f in dirs if f.is_dir() for p in f.glob("*.toml")))
    raise ScenarioError(f"unknown scenario {str(name_or_path)!r}; known: {known}")


def scenario_from_dict(doc: dict[str, Any], *, name: str, path: str = "") -> Scenario:
    """Build a Scenario from parsed TOML, rejecting unknown keys and bad values.

    Every message starts with the file (or the name) and the key at fault, e.g.
    ``us-only.toml: licences[2].share: ...`` for the second ``[[licences]]`` table.

    Parameters
    ----------
    doc
        The parsed TOML.
    name
        The scenario's name.
    path
        Its file, for messages and the record.

    Returns
    -------
    Scenario
    """
    where = path or name
    unknown = set(doc) - SCENARIO_KEYS
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; expected "
            f"{', '.join(sorted(SCENARIO_KEYS))}"
        )
    as_of = doc.get("as_of")
    if isinstance(as_of, str):
        as_of = schema.parse_date(as_of) or _fail(f"{where}: as_of: not a date: {as_of!r}")
    if isinstance(as_of, dt.datetime) or (as_of is not None and not isinstance(as_of, dt.date)):
        _fail(f"{where}: as_of: expected a date like 2025-05-01 (no time of day)")
    start, end = (_date(doc, key, where) for key in ("start", "end"))
    if start and end and end < start:
        _fail(f"{where}: end: {end} is before start {start}")
    licences = tuple(
        _policy(item, f"{where}: licences[{i}]")
        for i, item in enumerate(_table_list(doc, "licences", where), 1)
    )
    rules = tuple(
        _rule(item, f"{where}: rules[{i}]")
        for i, item in enumerate(_table_list(doc, "rules", where), 1)
    )
    capacity = tuple(
        _spare(item, f"{where}: capacity[{i}]")
        for i, item in enumerate(_table_list(doc, "capacity", where), 1)
    )
    sources = doc.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        _fail(
            f'{where}: sources: expected an array of strings, e.g. ["MOFCOM No. 18 - https://..."]'
        )
    return Scenario(
        name=name,
        title=_text(doc, "title", name, where),
        description=" ".join(_text(doc, "description", "", where).split()),
        as_of=as_of,
        sources=tuple(sources),
        licences=licences,
        rules=rules,
        capacity=capacity,
        ignore_suspensions=_bool(doc, "ignore_suspensions", False, where),
        extraterritorial=_bool(doc, "extraterritorial", True, where),
        default_stock_days=check_stock_days(
            doc.get("default_stock_days", 0.0), f"{where}: default_stock_days"
        ),
        path=path,
        start=start,
        end=end,
        applicant=None
        if "applicant" not in doc
        else check_applicant(doc["applicant"], f"{where}: applicant"),
        dynamics=check_dynamics(doc.get("dynamics", {}), f"{where}: dynamics"),
    )


def check_applicant(value: object, where: str) -> float:
    """Return an applicant's quantile: a number in [0, 1], or ``last`` (1).

    The quantile is the applicant's place in the queue of licence applications, by tonnes
    (0 the first in line, 1 the last); :func:`supplygraph.analyses.timeline.applicant_share` says
    what it ships.

    Parameters
    ----------
    value
        The value given: a number, or a text (a plain decimal or ``last``).
    where
        Where it was given (file and key, or option), for the message.

    Returns
    -------
    float

    Raises
    ------
    ScenarioError
        Naming ``where``.

    Examples
    --------
    >>> check_applicant("last", "--applicant"), check_applicant("0.5", "--applicant")
    (1.0, 0.5)
    """
    number = value
    if isinstance(value, str):
        number = 1.0 if value.strip() == "last" else schema.parse_number(value.strip())
    if not _is_number(number) or not 0 <= number <= 1:  # type: ignore[operator]
        _fail(
            f"{where}: expected an applicant's place in the queue of licence applications, "
            f"a number from 0 (first) to 1 (last) or last, got {value!r}"
        )
    return float(number)  # type: ignore[arg-type]


def check_stock_days(value: object, where: str) -> float:
    """Return a default stock cover in days: a number in [0, 3650] (the stock_days bound).

    Parameters
    ----------
    value
        The value given.
    where
        Where it was given (file and key, or option), for the message.

    Returns
    -------
    float

    Raises
    ------
    ScenarioError
        Naming ``where`` (the file and key, or the option).
    """
    upper, reason = schema.NUMBER_BOUNDS["stock_days"]
    if not _is_number(value) or not 0 <= value <= upper:
        _fail(f"{where}: expected a number of days from 0 to {upper:g} ({reason}), got {value!r}")
    return float(value)  # type: ignore[arg-type]


def _is_number(value: object) -> bool:
    """Whether a TOML value is a finite int or float (TOML's true is not a number)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _fail(message: str) -> Any:
    raise ScenarioError(message)


def _text(doc: dict[str, Any], key: str, default: str, where: str) -> str:
    value = doc.get(key, default)
    if not isinstance(value, str):
        _fail(f"{where}: {key}: expected a string")
    return value


def _bool(doc: dict[str, Any], key: str, default: bool, where: str) -> bool:
    value = doc.get(key, default)
    if not isinstance(value, bool):
        _fail(f"{where}: {key}: expected true or false")
    return value


def _table_list(doc: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    items = doc.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        _fail(f"{where}: {key}: expected an array of tables ([[{key}]])")
    return items


def _action_share(item: dict[str, Any], where: str) -> tuple[str, float]:
    action = item.get("action", "cut")
    if action not in ACTIONS:
        _fail(f"{where}.action: expected cut or throttle, got {action!r}")
    if action == "cut":
        if "share" in item and item["share"] != 0:
            _fail(f'{where}.share: a cut has share 0; use action = "throttle"')
        return action, 0.0
    share = item.get("share")
    if not _is_number(share) or not 0 <= share <= 1:
        _fail(f"{where}.share: a throttle needs a share between 0 and 1 (licensed part)")
    return action, float(share)


def _policy(item: dict[str, Any], where: str) -> LicencePolicy:
    unknown = set(item) - TABLE_KEYS["licences"]
    if unknown:
        _fail(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if not isinstance(item.get("regime"), str):
        _fail(f'{where}.regime: expected a regime id or "in-force"')
    action, share = _action_share(item, where)
    dests = item.get("destinations")
    if dests is not None:
        if not isinstance(dests, list) or not all(
            isinstance(d, str) and d in schema.ISO_COUNTRIES for d in dests
        ):
            _fail(f'{where}.destinations: expected a list of ISO country codes, e.g. ["US"]')
        dests = tuple(dests)
    path = item.get("approvals", "")
    if not isinstance(path, str):
        _fail(f"{where}.approvals: expected the id of a path in approvals.csv")
    delay = item.get("approval_delay_days", 0)
    if not isinstance(delay, int) or isinstance(delay, bool) or not 0 <= delay <= 3650:
        _fail(f"{where}.approval_delay_days: expected whole days, 0 to 3650")
    general = item.get("general_licence", "")
    if not isinstance(general, str):
        _fail(f'{where}.general_licence: expected an edge selector, e.g. "from=cn-jl-mag"')
    if general:
        try:
            if parse_selector(general).on != "edges":
                raise ScenarioError("expected an edge selector, not node:...")
        except ScenarioError as exc:
            _fail(f"{where}.general_licence: {exc}")
    return LicencePolicy(
        item["regime"], action, share, dests, path, delay, origin=where, general_licence=general
    )


def _date(doc: dict[str, Any], key: str, where: str) -> dt.date | None:
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = schema.parse_date(value)
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        _fail(f"{where}: {key}: expected a date like 2025-03-01")
    return value


def _rule(item: dict[str, Any], where: str) -> Rule:
    unknown = set(item) - TABLE_KEYS["rules"]
    if unknown:
        _fail(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if not isinstance(item.get("select"), str):
        _fail(f"{where}.select: expected a selector string")
    try:
        selector = parse_selector(item["select"])
    except ScenarioError as exc:
        _fail(f"{where}.select: {exc}")
    action, share = _action_share(item, where)
    start, end = _date(item, "from", where), _date(item, "until", where)
    if start and end and end < start:
        _fail(f"{where}.until: {end} is before from {start}")
    recovery = _recovery(item, share, where)
    if recovery and end is None:
        _fail(f"{where}.recovery: a recovery starts after until = DATE; give the rule its end")
    return Rule(selector, action, share, origin=where, start=start, end=end, recovery=recovery)


def _recovery(item: dict[str, Any], share: float, where: str) -> tuple[tuple[int, float], ...]:
    """A rule's recovery points: ``recovery_days = N`` (linear back to 1 over N days) or
    ``recovery = [[days, share], ...]`` (a stated curve ending at share 1)."""
    if "recovery_days" in item and "recovery" in item:
        _fail(f"{where}: give recovery_days (a straight line) or recovery (a curve), not both")
    if "recovery_days" in item:
        days = item["recovery_days"]
        if (
            not isinstance(days, int)
            or isinstance(days, bool)
            or not 0 <= days <= schema.MAX_RUN_DAYS
        ):
            _fail(f"{where}.recovery_days: expected whole days from 0 to {schema.MAX_RUN_DAYS}")
        return ((days, 1.0),) if days else ()
    points = item.get("recovery", [])
    expected = (
        f"{where}.recovery: expected [[days, share], ...]: days after until, rising, from 1 "
        f"to {schema.MAX_RUN_DAYS}; shares from the rule's own ({share:g}) up to 1, the last 1"
    )
    if not isinstance(points, list):
        _fail(expected)
    curve: list[tuple[int, float]] = []
    for point in points:
        ok = isinstance(point, list) and len(point) == 2
        days, value = point if ok else (None, None)
        ok = ok and isinstance(days, int) and not isinstance(days, bool) and _is_number(value)
        if not ok or not (curve[-1][0] if curve else 0) < days <= schema.MAX_RUN_DAYS:
            _fail(expected)
        if not (curve[-1][1] if curve else share) <= value <= 1:
            _fail(expected)
        curve.append((days, float(value)))
    if curve and curve[-1][1] != 1:
        _fail(expected)
    return tuple(curve)


def _spare(item: dict[str, Any], where: str) -> SpareCapacity:
    unknown = set(item) - TABLE_KEYS["capacity"]
    if unknown:
        _fail(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if not isinstance(item.get("select"), str):
        _fail(f"{where}.select: expected a node selector string (node:...)")
    spare = item.get("spare")
    if not _is_number(spare) or not 0 <= spare <= MAX_SPARE:
        _fail(
            f"{where}.spare: expected a share of baseline output from 0 to {MAX_SPARE:g} "
            "(0.2 = 20% more)"
        )
    try:
        return SpareCapacity(parse_selector(item["select"]), float(spare), origin=where)
    except ScenarioError as exc:
        raise ScenarioError(f"{where}.select: {exc}") from None


def parse_spare(text: str) -> SpareCapacity:
    """Parse ``node:SELECTOR=SHARE``: nodes that could make SHARE more than their baseline.

    Parameters
    ----------
    text
        The option's value.

    Returns
    -------
    SpareCapacity

    Examples
    --------
    >>> spare = parse_spare("node:country=AU,stage=separation=0.2")
    >>> spare.select.text, spare.spare
    ('node:country=AU,stage=separation', 0.2)
    """
    head, spare = parse_share(
        text,
        at_most=MAX_SPARE,
        expected=f"node:SELECTOR=SHARE with a share of baseline output from 0 to {MAX_SPARE:g}, "
        "e.g. node:country=AU,stage=separation=0.2",
        option="--spare",
    )
    return SpareCapacity(parse_selector(head), spare, origin=f"--spare {text}")


def list_scenarios(data_dir: Path | None = None, overlays: Sequence[Path] = ()) -> list[Scenario]:
    """Return every named scenario (the overlays' and the dataset's own first), sorted by name.

    Parameters
    ----------
    data_dir
        A dataset folder whose ``scenarios/`` is listed too.
    overlays
        Overlay folders whose ``scenarios/`` are listed too.

    Returns
    -------
    list of Scenario
    """
    found: dict[str, Scenario] = {}
    for folder in scenario_dirs(data_dir, overlays):
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            found.setdefault(path.stem, load_scenario(path))
    return [found[name] for name in sorted(found)]


def parse_share(
    text: str,
    *,
    at_most: float = 1.0,
    expected: str = "SELECTOR=SHARE with a share between 0 and 1 (the licensed part), "
    "e.g. country=CN,element=Dy=0.25",
    option: str = "",
) -> tuple[str, float]:
    """Split ``HEAD=SHARE`` (a selector or a regime id, then a number) at its last ``=``.

    Parameters
    ----------
    text
        The text to split.
    at_most
        The largest share allowed; the smallest is 0. The share is a plain decimal
        (:func:`supplygraph.dataset.schema.parse_number`: no ``inf``, ``nan`` or ``1_000``).
    expected
        What the text should look like, for the error message.
    option
        The option it was given with, named in the error message.

    Returns
    -------
    tuple of (str, float)

    Raises
    ------
    ScenarioError
        When there is no ``=``, no head, or the share is not a number in range.

    Examples
    --------
    >>> parse_share("country=CN,element=Dy=0.25")
    ('country=CN,element=Dy', 0.25)
    """
    head, sep, tail = text.rpartition("=")
    share = schema.parse_number(tail.strip())
    if not sep or not head or share is None or not 0 <= share <= at_most:
        where = f"{option} {text}" if option else repr(text)
        raise ScenarioError(f"{where}: expected {expected}")
    return head, share


def compose(
    scenario: Scenario,
    *,
    regimes: tuple[str, ...] = (),
    cuts: tuple[str, ...] = (),
    throttles: tuple[str, ...] = (),
    spares: tuple[str, ...] = (),
    as_of: dt.date | None = None,
    extraterritorial: bool | None = None,
    ignore_suspensions: bool = False,
    stock_days: float | None = None,
) -> Scenario:
    """Return a scenario with ad-hoc changes: regimes, cuts and throttles are added to its
    own; the date and the switches replace its settings.

    ``regimes`` are ids (cut) or ``ID=SHARE`` (throttled to SHARE licensed); ``cuts`` are
    selectors; ``throttles`` are ``SELECTOR=SHARE``; ``spares`` are ``node:SELECTOR=SHARE``
    (spare capacity assumed for rerouting, after the scenario's own). A baseline scenario
    given changes is renamed ``custom``.

    Parameters
    ----------
    scenario
        The scenario to start from.
    regimes
        Regime ids (cut) or ``ID=SHARE`` (throttled).
    cuts
        Selectors to cut.
    throttles
        ``SELECTOR=SHARE`` to throttle.
    spares
        ``node:SELECTOR=SHARE`` spare capacity assumptions.
    as_of
        The date the regimes are judged on.
    extraterritorial
        Apply 0.1%-content rules (None: the scenario's setting).
    ignore_suspensions
        Treat suspended regimes as in force.
    stock_days
        Stock cover for nodes without a figure.

    Returns
    -------
    Scenario
    """
    licences = list(scenario.licences)
    for regime in regimes:
        if "=" in regime:
            regime_id, share = parse_share(
                regime,
                expected="ID=SHARE with SHARE from 0 to 1, the licensed part "
                "(0.25 for 25%), e.g. CN-2025-18=0.25",
                option="--regime",
            )
            licences.append(
                LicencePolicy(regime_id, "throttle", share, origin=f"--regime {regime}")
            )
        else:
            licences.append(LicencePolicy(regime, "cut", 0.0, origin=f"--regime {regime}"))
    rules = list(scenario.rules)
    for selector in cuts:
        rules.append(Rule(parse_selector(selector), "cut", 0.0, origin=f"--cut {selector}"))
    for text in throttles:
        selector, share = parse_share(text, option="--throttle")
        rules.append(Rule(parse_selector(selector), "throttle", share, origin=f"--throttle {text}"))
    capacity = scenario.capacity + tuple(parse_spare(text) for text in spares)
    changes: dict[str, Any] = {
        "licences": tuple(licences),
        "rules": tuple(rules),
        "capacity": capacity,
    }
    if (regimes or cuts or throttles or spares) and scenario.name == "baseline":
        changes["name"], changes["title"] = "custom", "Custom scenario (command-line flags)"
    if as_of is not None:
        changes["as_of"] = as_of
    if extraterritorial is not None:
        changes["extraterritorial"] = extraterritorial
    if ignore_suspensions:
        changes["ignore_suspensions"] = True
    if stock_days is not None:
        changes["default_stock_days"] = check_stock_days(stock_days, "--stock-days")
    return scenario.with_changes(**changes)
