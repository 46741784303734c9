"""Column names of the result tables, in the order the reports, the page and exports show them.

The home of every list of a result's columns (``dataset.schema`` is the home of the input
files' columns): the CSV reports, the comparison, the HTML page's node table, the graph
exports and the risk reports all take their columns from here.
"""

from __future__ import annotations

# ---------------------------------------------------------------- one scenario (simulate)

# Why a line falls short (engine.bottlenecks): on nodes and lines of an exposure.
WHY_COLUMNS = ["limiting_input", "limiting_suppliers", "limiting_regimes"]
SECTOR_COLUMNS = [
    "sector",
    "layer",  # with overlays only (dataset.overlay): base, overlay or base+overlay
    "makers",
    "countries",
    "baseline_t",
    "after_t",
    "shortfall_t",
    "shortfall_pct",
    "days_to_impact",
    "after_reroute_t",
    "shortfall_reroute_t",
    "shortfall_reroute_pct",
    "unit",
    "baseline_units",
    "shortfall_units",
    "shortfall_units_pct",
    "issuer",
    "in_issuer_shortfall_pct",
    "outside_issuer_shortfall_pct",
    "bottlenecks",
    # the bands (simulate --draws): P10 / P50 / P90 over the draws of every range
    *(
        f"{figure}_p{q}"
        for figure in (
            "shortfall_pct",
            "shortfall_units_pct",
            "outside_issuer_shortfall_pct",
            "outside_issuer_shortfall_units_pct",
        )
        for q in (10, 50, 90)
    ),
    "band_draws",
]
NODE_COLUMNS = [
    "id",
    "name",
    "stage",
    "country",
    "company",
    "sector",
    "layer",
    "baseline_t",
    "after_t",
    "shortfall_t",
    "shortfall_pct",
    "days_to_impact",
    "stock_days",
    "spare_t",
    "after_reroute_t",
    "shortfall_reroute_t",
    "shortfall_reroute_pct",
    "china_content_pct",
    "dfars_covered",
    *WHY_COLUMNS,
    "source",
]
LINE_COLUMNS = [
    "node",
    "line",
    "name",
    "stage",
    "country",
    "sector",
    "layer",
    "unit",
    "baseline_units",
    "after_units",
    "shortfall_units",
    "baseline_t",
    "after_t",
    "shortfall_t",
    "shortfall_pct",
    "days_to_impact",
    "spare_t",
    "after_reroute_t",
    "shortfall_reroute_t",
    "shortfall_reroute_pct",
    *WHY_COLUMNS,
]
EDGE_COLUMNS = [
    "supplier",
    "customer",
    "material",
    "elements",
    "layer",
    "baseline_t",
    "taken_t",  # with overlays only: the tonnes overlays took out of this base edge
    "licensed_share",
    "after_t",
    "flow_status",
    "regimes",
    "after_reroute_t",
]
COUNTRY_COLUMNS = [
    "country",
    "stage",
    "sector",
    "layer",
    "nodes",
    "baseline_t",
    "after_t",
    "shortfall_t",
    "shortfall_pct",
    "days_to_impact",
    "after_reroute_t",
    "shortfall_reroute_t",
    "shortfall_reroute_pct",
]

# focus.csv: the user's own lines (analyses.focus), with the figures a risk manager asks for.
FOCUS_COLUMNS = [
    "node",
    "line",
    "name",
    "layer",
    "stage",
    "country",
    "sector",
    "unit",
    "baseline_t",
    "shortfall_t",
    "shortfall_pct",
    "baseline_units",
    "shortfall_units",
    "days_to_impact",
    "first_stoppage",
    *WHY_COLUMNS,
    "shortfall_reroute_t",
    "shortfall_reroute_pct",
    # the band (simulate --draws): P10 / P50 / P90 of the line's shortfall_pct over the draws
    "shortfall_pct_p10",
    "shortfall_pct_p50",
    "shortfall_pct_p90",
    "band_draws",
]

# The HTML page's nodes: these always, WHY_COLUMNS on an exposure page, and the rerouted
# figures where the result was rerouted.
PAGE_NODE_COLUMNS = [
    "id",
    "name",
    "stage",
    "country",
    "company",
    "sector",
    "baseline_t",
    "after_t",
    "shortfall_pct",
    "days_to_impact",
    "stock_days",
    "china_content_pct",
    "source",
]
PAGE_REROUTE_COLUMNS = ["after_reroute_t", "shortfall_reroute_pct"]

# The results a graph export carries as node and edge attributes (those the result has).
EXPORT_NODE_COLUMNS = (
    "baseline_t",
    "after_t",
    "shortfall_t",
    "shortfall_pct",
    "days_to_impact",
    "after_reroute_t",
    "china_content_pct",
)
EXPORT_EDGE_COLUMNS = ("after_t", "licensed_share", "flow_status", "regimes", "after_reroute_t")

# ---------------------------------------------------------------- two scenarios (compare)

# The keys a comparison joins each table on (the first) and carries along (the rest).
COMPARE_KEYS = {"sectors": ["sector"], "nodes": ["id", "name", "stage", "country"]}
COMPARE_FIGURES = ["shortfall_t", "shortfall_pct", "days_to_impact"]
REROUTE_FIGURES = ["shortfall_reroute_t", "shortfall_reroute_pct"]
COMPARE_DIFFERENCES = ["shortfall_t", "shortfall_pct", *REROUTE_FIGURES]  # B - A

# ---------------------------------------------------------------- a dated run (timeline)

TIMELINE_LINE_COLUMNS = [
    "node",
    "line",
    "stage",
    "country",
    "sector",
    "layer",  # with overlays only
    "first_loss",
    "recovery",
    "min_output_pct",
    "lost_t",
    "lost_units",
    "cover_left_days",
]
# With the dynamics on (supplygraph.analyses.dynamics): output above baseline and lost orders.
TIMELINE_DYNAMICS_COLUMNS = [
    "lost_orders_t",
    "max_output_pct",
    "above_baseline_t",
    "new_links_t",  # only with new links (dynamics.new_links)
]
# The daily records (timeline --records), one row per date and line.
TIMELINE_RECORD_COLUMNS = ["date", "node", "line", "output_pct", "cover_days", "limiting_input"]

# ---------------------------------------------------------------- risk (criticality, montecarlo)

CRITICALITY_COLUMNS = [
    "rank",
    "kind",
    "id",
    "name",
    "country",
    "stage",
    "layer",  # with overlays only
    "nodes_down",
    "rank_by",
    "rank_pct",
    "focus_shortfall_t",  # with a focus only (analyses.focus)
    "focus_shortfall_pct",
    "mean_sector_pct",
    "shortfall_t",
    "shortfall_pct",
    "added_shortfall_t",
    "shortfall_reroute_t",
    "shortfall_reroute_pct",
    "sectors_hit",
    "worst_sector",
    "worst_sector_pct",
    "tts_days",
]
CRITICALITY_SECTOR_COLUMNS = [
    "rank",
    "kind",
    "id",
    "sector",
    "baseline_t",
    "shortfall_t",
    "shortfall_pct",
    "shortfall_units_pct",
    "shortfall_reroute_t",
    "shortfall_reroute_pct",
    "tts_days",
]
HHI_COLUMNS = [
    "stage",
    "element",
    "output_t",
    "countries",
    "top_country",
    "top_share_pct",
    "hhi",
    "above_crma_65pct",
]
CRMA_COLUMNS = [
    "stage",
    "element",
    "country",
    "supply_t",
    "consumption_t",
    "share_pct",
    "above_crma",
]
# A sector's figures that a Monte Carlo run draws, each summarised as its percentiles.
MONTECARLO_FIGURES = ("shortfall_t", "shortfall_pct", "shortfall_units_pct", "days_to_impact")
MONTECARLO_COLUMNS = [
    "sector",
    "layer",  # with overlays only
    "draws",
    *(
        f"{kind}_{figure}"
        for figure in MONTECARLO_FIGURES
        for kind in ("scenario", "p5", "p50", "p95")
    ),
    "never_short_pct",
    "spread_from_defaults_pct",
]
MONTECARLO_DRIVER_COLUMNS = ["sector", "rank", "input", "spearman_rho"]
MONTECARLO_DRAW_COLUMNS = ["draw", "sector", *MONTECARLO_FIGURES]
