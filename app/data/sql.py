"""Helpers for parameterised SQL, importable without Streamlit. Reads no settings."""

from __future__ import annotations


def placeholders(count: int) -> str:
    """`?, ?, ...`: one parameter marker per value of an `in (...)` list."""
    return ", ".join("?" for _ in range(count))
