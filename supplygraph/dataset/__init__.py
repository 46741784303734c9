"""The data: schema, reading and validation, the graph and its index, product lines, origin."""
