"""The Care Home Connect app: local store, sync engine, screen state and Flet views."""
