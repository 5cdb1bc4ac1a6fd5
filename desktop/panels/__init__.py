"""Panels: widgets that show server data and emit what the person asked for."""
