"""Modals of the cxdaily app."""
