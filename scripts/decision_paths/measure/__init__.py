"""Measure step: the case record against the promise (SPEC section 11).

The loader's events and the model's decisions -> verdicts and figures. DuckDB
does the bulk work over working-time tables exported from the one calendar
implementation (``model.calendars``); see ``measure.tables``.
"""
