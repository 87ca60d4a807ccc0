"""Each screen's state and rules in plain Python (no Flet): views render these."""
