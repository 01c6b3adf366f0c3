"""Screens of the cxdaily app."""
