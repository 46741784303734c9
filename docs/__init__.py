"""The documentation, shipped with the package: ``supplygraph docs NAME`` prints a page."""
