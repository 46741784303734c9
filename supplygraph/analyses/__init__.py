"""Analyses built on the engine: exposure, the dated run, backtest, risk, data quality."""
