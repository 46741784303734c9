"""Scenario resolution: a scenario and a graph give edge and node multipliers, and a record."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .._errors import ScenarioError
from ..dataset.origin import origin_share
from ..dataset.production import Production, production_lines
from ..dataset.schema import sector_id
from .licence import Regime, licence_edges, regime_state, regimes_by_id
from .parse import check_licences
from .selectors import EDGE_KEYS, NODE_KEYS, Selector, parse_selector

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph
    from .parse import LicencePolicy, Scenario


@dataclass(frozen=True)
class AppliedRegime:
    """What one regime named by a scenario did: whether it applied, why, and to how many
    edges (``applied`` is False when it was not in force or its rule was switched off)."""

    regime: Regime
    policy: LicencePolicy
    applied: bool
    reason: str
    licence_edges: int


@dataclass(frozen=True)
class Disruption:
    """A scenario resolved against a graph: multipliers and what applied.

    ``content_pct`` holds, per issuer of an applied extraterritorial regime, each node's
    issuer-origin content in percent: the figure the licence rule tested.
    """

    edge_share: np.ndarray  # per edge, in [0, 1]
    node_share: np.ndarray  # per node, in [0, 1]
    edge_regimes: list[list[str]]  # per edge: regime ids that made it a licence edge
    regimes: tuple[AppliedRegime, ...] = ()
    warnings: list[str] = field(default_factory=list)
    capacity_t: np.ndarray | None = None  # per node: capacity the scenario assumes, else NaN
    content_pct: dict[str, np.ndarray] = field(default_factory=dict)
    regime_code: np.ndarray | None = None  # per edge: its entry in regime_lists
    regime_lists: tuple[tuple[str, ...], ...] = ()

    @cached_property
    def regime_sets(self) -> tuple[np.ndarray, tuple[tuple[str, ...], ...]]:
        """Each edge's code and the distinct lists of regimes the codes stand for.

        Edges with the same regimes share a code, so a per-edge figure built from the
        regimes (a text cell, a set of causes) is built once per code. :func:`resolve`
        gives the codes; for a Disruption made by hand they are worked out here.

        Returns
        -------
        tuple
            The codes (one per edge) and the regime lists, by code.
        """
        if self.regime_code is not None:
            return self.regime_code, self.regime_lists
        known: dict[tuple[str, ...], int] = {}
        codes = np.fromiter(
            (known.setdefault(tuple(ids), len(known)) for ids in self.edge_regimes),
            dtype=np.int64,
            count=len(self.edge_regimes),
        )
        return codes, tuple(known)

    @property
    def applied(self) -> tuple[AppliedRegime, ...]:
        """The regimes that applied: those whose licence edges the scenario restricts."""
        return tuple(entry for entry in self.regimes if entry.applied)


def resolve(
    graph: SupplyGraph, scenario: Scenario, *, production: Production | None = None
) -> Disruption:
    """Turn a scenario into edge and node multipliers for a graph.

    Overlapping restrictions do not compound: each edge takes the smallest share any rule
    or regime gives it (a shipment is licensed or not).

    Parameters
    ----------
    graph
        The supply graph.
    scenario
        The scenario.
    production
        The graph's product lines (:func:`supplygraph.dataset.production.production_lines`): an
        extraterritorial regime then tests what each edge carries by the origin content of
        the line it leaves from, not the node's mix.

    Returns
    -------
    Disruption

    Raises
    ------
    ScenarioError
        For an unknown regime, a regime named twice for a common destination
        (:func:`supplygraph.scenario.parse.check_licences`) or a selector that matches nothing.
    """
    regimes = regimes_by_id(graph.regimes)
    edge_share = np.ones(graph.n_edges)
    node_share = np.ones(graph.n_nodes)
    # which regimes made each edge a licence edge: a code per edge into code_of's keys
    code_of: dict[tuple[str, ...], int] = {(): 0}
    regime_code = np.zeros(graph.n_edges, dtype=np.int64)
    applied: list[AppliedRegime] = []
    content_pct: dict[str, np.ndarray] = {}
    in_force_ids = [r for r, regime in regimes.items() if not regime.hypothetical]
    # a regime named twice, directly or through "in-force", would have two shares
    check_licences(
        scenario.licences,
        name=scenario.name,
        regimes_of=lambda regime: in_force_ids if regime == "in-force" else (regime,),
    )
    for policy in scenario.licences:
        if policy.regime == "in-force":
            ids = in_force_ids
        elif policy.regime in regimes:
            ids = [policy.regime]
        else:
            raise ScenarioError(
                f"{policy.origin or f'scenario {scenario.name!r}'}: unknown regime "
                f"{policy.regime!r}, not in regimes.csv (known: {', '.join(regimes) or 'none'})"
            )
        for regime_id in ids:
            regime = regimes[regime_id]
            in_force, reason = regime_state(
                regime, scenario.as_of, ignore_suspensions=scenario.ignore_suspensions
            )
            applies = in_force and (scenario.extraterritorial or not regime.extraterritorial)
            if in_force and not applies:
                reason += "; extraterritorial rule switched off"
            mask = np.zeros(graph.n_edges, dtype=bool)
            if applies:
                seller_content = None
                if regime.extraterritorial:
                    if regime.issuer not in content_pct:
                        share = origin_share(graph, regime.issuer, production=production)
                        content_pct[regime.issuer] = share * 100
                    seller_content = _seller_content(
                        graph, production, regime.issuer, content_pct[regime.issuer]
                    )
                mask = licence_edges(graph, regime, seller_content, policy.destinations)
                if policy.general_licence:  # shipped under a general licence: no queue
                    general = parse_selector(policy.general_licence)
                    mask &= ~_select_from(graph, general, policy.origin)
            edge_share[mask] = np.minimum(edge_share[mask], policy.share)
            if mask.any():  # each distinct list of the masked edges gains this regime
                before, where = np.unique(regime_code[mask], return_inverse=True)
                lists = list(code_of)
                after = [
                    code_of.setdefault(lists[c] + (regime_id,), len(code_of))
                    for c in before.tolist()
                ]
                regime_code[mask] = np.array(after, dtype=np.int64)[where.reshape(-1)]
            if policy.regime != "in-force" or in_force:
                applied.append(AppliedRegime(regime, policy, applies, reason, int(mask.sum())))
    warnings: list[str] = []
    for rule in scenario.rules:
        mask = _select_from(graph, rule.select, rule.origin)
        if not mask.any():
            where = f"{rule.origin}: " if rule.origin else ""
            warnings.append(f"{where}rule {rule.select.text!r} matches no {rule.select.on}")
        share = rule.share_on(scenario.as_of)  # None: a dated rule not in force that day
        if share is None:
            continue
        target = node_share if rule.select.on == "nodes" else edge_share
        target[mask] = np.minimum(target[mask], share)
    capacity_t = np.full(graph.n_nodes, np.nan)
    for entry in scenario.capacity:  # a later assumption replaces an earlier one
        mask = _select_from(graph, entry.select, entry.origin)
        capacity_t[mask] = graph.baseline_t[mask] * (1 + entry.spare)
    shared = np.empty(len(code_of), dtype=object)  # edges with the same regimes share a list
    for k, ids in enumerate(code_of):
        shared[k] = list(ids)
    return Disruption(
        edge_share,
        node_share,
        shared[regime_code].tolist(),
        tuple(applied),
        warnings,
        capacity_t,
        content_pct,
        regime_code=regime_code,
        regime_lists=tuple(code_of),
    )


def lines_disruption(production: Production, disruption: Disruption) -> Disruption:
    """Return a graph's disruption as it falls on its product lines.

    Each part of an edge and each line of a node takes its edge's and node's multipliers;
    a node's assumed capacity is shared among its lines as its own baseline is.

    Parameters
    ----------
    production
        The graph's product lines.
    disruption
        The disruption per node and edge of the graph (:func:`resolve`).

    Returns
    -------
    Disruption
        Per line and part (the disruption itself when no node has declared lines).
    """
    if not production.has_lines:
        return disruption
    graph, node, edge = production.graph, production.node, production.edge
    capacity_t = None
    if disruption.capacity_t is not None:
        line_base = graph.baseline_t
        node_base = np.bincount(node, line_base, minlength=len(disruption.node_share))[node]
        share = np.divide(line_base, node_base, out=np.zeros_like(line_base), where=node_base > 0)
        capacity_t = disruption.capacity_t[node] * share
    content = {issuer: origin_share(graph, issuer) * 100 for issuer in disruption.content_pct}
    return replace(
        disruption,
        edge_share=disruption.edge_share[edge],
        node_share=disruption.node_share[node],
        edge_regimes=[disruption.edge_regimes[e] for e in edge],
        regime_code=disruption.regime_sets[0][edge],
        regime_lists=disruption.regime_sets[1],
        capacity_t=capacity_t,
        content_pct=content,
    )


# The country whose exports the bundled regimes control: sectors are split inside and outside
# it when a scenario applies no regime, or regimes of more than one country.
DEFAULT_ISSUER = "CN"


def issuing_country(applied: Iterable[AppliedRegime]) -> str:
    """Return the country that sectors are split inside and outside of for a scenario.

    The issuer of the regimes that applied when they share one, else ``DEFAULT_ISSUER``.

    Parameters
    ----------
    applied
        The regimes that applied (``Disruption.applied``, for each stretch of a dated run).

    Returns
    -------
    str
        An ISO 3166 alpha-2 code.
    """
    issuers = sorted({entry.regime.issuer for entry in applied})
    return issuers[0] if len(issuers) == 1 else DEFAULT_ISSUER


@dataclass(frozen=True)
class OnLines:
    """A scenario put onto a graph's product lines: what the engine runs on.

    ``disruption`` is per node and edge of the data, ``lines`` per product line and part
    (:func:`lines_disruption`), ``stock_days`` each line's stock cover: its node's, or the
    scenario's default where the data gives none.
    """

    production: Production
    disruption: Disruption
    lines: Disruption
    stock_days: np.ndarray


def put_on_lines(
    graph: SupplyGraph, scenario: Scenario, *, production: Production | None = None
) -> OnLines:
    """Resolve a scenario and put it onto the graph's product lines, with default stocks.

    The one way from a scenario to the engine's inputs: the exposure table, the dated
    run, the n-1 sweep and the Monte Carlo draws all start here.

    Parameters
    ----------
    graph
        The supply graph.
    scenario
        The scenario.
    production
        The graph's product lines, when the caller has them already.

    Returns
    -------
    OnLines

    Examples
    --------
    >>> import supplygraph as sg
    >>> put = put_on_lines(sg.load("tests/data/tiny"), sg.Scenario("calm", "Nothing cut"))
    >>> bool((put.lines.edge_share == 1).all()), len(put.stock_days) == put.production.graph.n_nodes
    (True, True)
    """
    production = production or production_lines(graph)
    disruption = resolve(graph, scenario, production=production)
    return OnLines(
        production,
        disruption,
        lines_disruption(production, disruption),
        line_stock_days(graph, scenario, production),
    )


def line_stock_days(graph: SupplyGraph, scenario: Scenario, production: Production) -> np.ndarray:
    """Return each product line's stock cover: its node's, else the scenario's default.

    Parameters
    ----------
    graph
        The supply graph.
    scenario
        The scenario (its ``default_stock_days``).
    production
        The graph's product lines.

    Returns
    -------
    numpy.ndarray
        Days per line.
    """
    stock = graph.nodes["stock_days"].fillna(scenario.default_stock_days).to_numpy(np.float64)
    return stock[production.node]


def _seller_content(
    graph: SupplyGraph, production: Production | None, issuer: str, node_pct: np.ndarray
) -> np.ndarray:
    """Per edge, the issuer-origin content (%) the licence rule tests: its supplier's, or
    with product lines the highest among the lines it leaves from (a shipment that mixes
    lines is caught when any of its parts would be: the rule is applied conservatively)."""
    if production is None or not production.has_lines:
        return node_pct[graph.edges["src"].to_numpy()]
    lines = production.graph
    line_pct = origin_share(lines, issuer) * 100
    carried = lines.edges["flow_t"].to_numpy(np.float64) > 0
    highest = np.full(graph.n_edges, -np.inf)
    np.maximum.at(
        highest, production.edge[carried], line_pct[lines.edges["src"].to_numpy()[carried]]
    )
    # an edge that carries nothing has no parts: its supplier's figure
    return np.where(np.isfinite(highest), highest, node_pct[graph.edges["src"].to_numpy()])


def _select_from(graph: SupplyGraph, selector: Selector, origin: str) -> np.ndarray:
    """:func:`select`, its errors prefixed with where the selector was written."""
    try:
        return select(graph, selector)
    except ScenarioError as exc:
        raise ScenarioError(f"{origin}: {exc}" if origin else str(exc)) from None


def select(graph: SupplyGraph, selector: Selector) -> np.ndarray:
    """Return the boolean mask of the edges (or nodes) a selector matches.

    Parameters
    ----------
    graph
        The supply graph.
    selector
        A parsed selector (:func:`supplygraph.scenario.selectors.parse_selector`).

    Returns
    -------
    numpy.ndarray
        One bool per edge, or per node for a ``node:`` selector.

    Raises
    ------
    ScenarioError
        When a value matches nothing in the data (a typo, most likely).
    """
    nodes, edges, index = graph.nodes, graph.edges, graph.index
    if selector.on == "nodes":
        columns = {key: nodes[key].to_numpy() for key in NODE_KEYS}
        size = graph.n_nodes
    else:
        node_column = {"country": "country", "stage": "stage", "company": "company"}
        columns = {
            "from": edges["supplier"].to_numpy(),
            "to": edges["customer"].to_numpy(),
            "dest": nodes["country"].to_numpy()[index.dst],
            "to_stage": nodes["stage"].to_numpy()[index.dst],
            "material": edges["material"].to_numpy(),
            "sector": nodes["sector"].to_numpy()[index.dst],
            **{key: nodes[col].to_numpy()[index.src] for key, col in node_column.items()},
        }
        assert set(columns) | {"element"} == set(EDGE_KEYS)
        size = graph.n_edges
    mask = np.ones(size, dtype=bool)
    for key, values in selector.terms:
        if key == "element":
            term = graph.carries(values)
            known = set().union(*graph.edge_elements)
        elif key == "sector":
            term, known, values = _sector_term(graph, selector, values)
        else:
            term = np.isin(columns[key], values)
            known = set(columns[key])
        missing = [v for v in values if v not in known]
        if missing:
            raise ScenarioError(
                f"selector {selector.text!r}: {key}={'|'.join(missing)} "
                f"matches no {selector.on[:-1]} in the data; {_suggest(missing[0], known)}"
            )
        mask &= term
    return mask


def _sector_term(
    graph: SupplyGraph, selector: Selector, values: tuple[str, ...]
) -> tuple[np.ndarray, set[str], tuple[str, ...]]:
    """A ``sector=`` term: the nodes (or the edges into the nodes) in one of the sectors,
    by the node's sector or any of its product lines' (a sector may live in lines.csv only);
    each value an id or a label (:func:`dataset.schema.sector_id`). Returns the mask, the
    known sectors and the values as ids (a name that is neither stays, for the message)."""
    nodes, lines = graph.nodes, graph.lines
    known = {str(s) for s in (*nodes["sector"], *lines["sector"]) if s}
    ids = tuple(sector_id(value, known) or value for value in values)
    in_lines = set(lines.loc[lines["sector"].isin(ids), "node"])
    node_mask = nodes["sector"].isin(ids).to_numpy() | nodes["id"].isin(in_lines).to_numpy()
    return (node_mask if selector.on == "nodes" else node_mask[graph.index.dst]), known, ids


def _suggest(value: str, known: set[str]) -> str:
    """Name the values close to a typo, and the valid ones where they are few.

    Examples
    --------
    >>> _suggest("USA", {"US", "CN", "JP"})
    'did you mean US? known: CN, JP, US'
    """
    valid = sorted(str(v) for v in known if v != "")
    close = difflib.get_close_matches(value, valid, n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    listed = ", ".join(valid) if len(valid) <= 30 else f"{len(valid)} values in the data"
    return f"{hint}known: {listed}"
