"""Widgets of the cxdaily app."""
