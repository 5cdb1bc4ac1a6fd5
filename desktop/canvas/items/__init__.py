"""The canvas's graphics items, one class per module."""
