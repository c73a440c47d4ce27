"""Outcome measures arrive with the outcome-measures issue."""
