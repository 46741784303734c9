"""What a run shows: CSV text, report sets, charts, the page, exports, file writing."""
