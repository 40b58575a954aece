"""Errors every reader of the warehouse shares, importable without Streamlit. Reads no settings."""

from __future__ import annotations


class BadInput(ValueError):
    """User input the page (or another front end) should explain rather than run."""
