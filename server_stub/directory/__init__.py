"""The CQC directory files the central API imports (no database here): reading them, placing homes in their ICB.

See docs/directory.md for the formats and how each column maps to a care home.
"""
