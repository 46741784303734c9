"""Origin tracing: each node's rare-earth content by country of origin, and DFARS provenance."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix

from .graph import reachable
from .production import Production, production_lines

if TYPE_CHECKING:
    from .graph import SupplyGraph

TOLERANCE = 1e-12
MAX_ITERATIONS = 10_000


def origin_share(
    graph: SupplyGraph, country: str = "CN", *, production: Production | None = None
) -> np.ndarray:
    """Return, per node, the share (0-1) of its rare-earth output mined or processed in a country.

    Everything a node in ``country`` ships counts as of that origin; a node elsewhere
    passes on the mass-weighted mix of what it receives. Shares are by mass: the CSV
    format carries no prices. Recycling loops are solved by fixed-point iteration.

    With product lines the mix is traced line by line, on the graph the engine runs on
    (:func:`supplygraph.dataset.production.production_lines`): a line passes on the mix of
    what *it* receives, and a node's share is the mean of its lines', weighted by the
    tonnes each ships (for a maker, or a node that ships nothing, by what each takes in).

    Parameters
    ----------
    graph
        The supply graph.
    country
        The country of origin (ISO code).
    production
        ``graph``'s product lines, when the caller has them (built here otherwise).

    Returns
    -------
    numpy.ndarray
        One share in [0, 1] per node.

    Examples
    --------
    A Japanese magnet plant buys 75 t of Chinese and 25 t of Australian oxide:

    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from supplygraph.dataset.io import Dataset
    >>> from supplygraph.dataset.graph import build_graph
    >>> nodes = pd.DataFrame({"csv_line": [2, 3, 4], "id": ["cn", "au", "jp"],
    ...     "stage": ["separation", "separation", "magnet"], "country": ["CN", "AU", "JP"]})
    >>> edges = pd.DataFrame({"csv_line": [2, 3], "supplier": ["cn", "au"],
    ...     "customer": ["jp", "jp"], "material": ["ndpr_oxide"] * 2, "flow_t": [75.0, 25.0]})
    >>> graph = build_graph(Dataset(nodes, edges, pd.DataFrame(), Path("."), ""))
    >>> origin_share(graph, "CN").tolist()
    [1.0, 0.0, 0.75]
    """
    lines = _lines(graph, production)
    share = _traced(lines.graph, country)
    if not lines.has_lines:
        return share
    home = graph.nodes["country"].to_numpy() == country
    by_intake = (graph.nodes["stage"].to_numpy() == "manufacturer") | (graph.baseline_out_t <= 0)
    weight = np.where(by_intake[lines.node], lines.graph.baseline_in_t, lines.graph.baseline_out_t)
    total = np.bincount(lines.node, weight, minlength=graph.n_nodes)
    weighted = np.bincount(lines.node, weight * share, minlength=graph.n_nodes)
    # a node without flows: its lines' shares are all 1 (in the country) or all 0
    return np.divide(weighted, total, out=home.astype(np.float64), where=total > 0)


def _lines(graph: SupplyGraph, production: Production | None) -> Production:
    """The graph's product lines: the caller's, or built (the graph itself without lines)."""
    return production if production is not None else production_lines(graph)


def _traced(graph: SupplyGraph, country: str) -> np.ndarray:
    """Per node of ``graph``, its share of origin ``country``: the mass-weighted mix of its
    inputs, 1 in the country (the fixed point, iterated round recycling loops)."""
    index = graph.index
    n = graph.n_nodes
    home = graph.nodes["country"].to_numpy() == country
    inflow = graph.baseline_in_t
    weight = np.divide(
        index.flow, inflow[index.dst], out=np.zeros_like(index.flow), where=inflow[index.dst] > 0
    )
    mix = csr_matrix((weight, (index.dst, index.src)), shape=(n, n))
    share = home.astype(np.float64)
    for _ in range(MAX_ITERATIONS):
        new = np.where(home, 1.0, mix @ share)
        if np.max(np.abs(new - share), initial=0.0) <= TOLERANCE:
            return new
        share = new
    return share


# The stages at which DFARS asks where rare earths were "mined, refined, separated, melted or
# produced".
DFARS_STAGES = ("mine", "separation", "metal", "magnet")


def provenance(
    graph: SupplyGraph,
    countries: str | Iterable[str],
    *,
    stages: Iterable[str] = DFARS_STAGES,
    production: Production | None = None,
) -> np.ndarray:
    """Return, per node, whether any of its rare-earth input passed through given countries.

    A node is flagged when it, or any node upstream of it along links with a positive
    baseline flow, is at one of ``stages`` in one of ``countries``: the US DFARS test for
    magnets from 1 January 2027 ("mined, refined, separated, melted or produced in China").
    Unlike :func:`origin_share` this is all-or-nothing: one tonne is enough.

    With product lines the walk runs line by line, as :func:`origin_share`'s does: a maker
    fed only by lines that nothing covered reaches is not flagged, although another line of
    the same supplier is; a node is flagged when any of its lines is.

    Parameters
    ----------
    graph
        The supply graph.
    countries
        A country code, or several.
    stages
        The stages that count.
    production
        ``graph``'s product lines, when the caller has them (built here otherwise).

    Returns
    -------
    numpy.ndarray
        One bool per node.

    Examples
    --------
    Australian ore separated in China, then made into magnets in Japan; a Japanese motor
    maker also buys Vietnamese magnets made from Australian oxide:

    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from supplygraph.dataset.io import Dataset
    >>> from supplygraph.dataset.graph import build_graph
    >>> nodes = pd.DataFrame({"csv_line": [2, 3, 4, 5, 6, 7], "id": ["au", "cn", "jp", "vn-sep",
    ...     "vn", "motor"], "stage": ["mine", "separation", "magnet", "separation", "magnet",
    ...     "component"], "country": ["AU", "CN", "JP", "VN", "VN", "JP"]})
    >>> edges = pd.DataFrame({"csv_line": [2, 3, 4, 5, 6, 7], "supplier": ["au", "cn", "au",
    ...     "vn-sep", "jp", "vn"], "customer": ["cn", "jp", "vn-sep", "vn", "motor", "motor"],
    ...     "material": ["ore", "oxide", "ore", "oxide", "magnet", "magnet"],
    ...     "flow_t": [10.0, 10.0, 5.0, 5.0, 10.0, 5.0]})
    >>> graph = build_graph(Dataset(nodes, edges, pd.DataFrame(), Path("."), ""))
    >>> provenance(graph, "CN").tolist()
    [False, True, True, False, False, True]
    """
    countries = (countries,) if isinstance(countries, str) else tuple(countries)
    lines = _lines(graph, production)
    nodes, index = lines.graph.nodes, lines.graph.index
    seeds = (
        nodes["country"].isin(countries).to_numpy() & nodes["stage"].isin(tuple(stages)).to_numpy()
    )
    live = index.flow > 0
    flagged = reachable(lines.graph.n_nodes, index.src[live], index.dst[live], seeds)
    if not lines.has_lines:
        return flagged
    return np.bincount(lines.node, flagged, minlength=graph.n_nodes) > 0
