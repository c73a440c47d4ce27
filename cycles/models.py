"""Consent, filming visits and shared reviews arrive with the VIG cycles issue."""
