"""The engine: one propagation step in every shape, bottlenecks, rerouting, sector sums."""
