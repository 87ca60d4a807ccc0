"""UI-free domain rules of Care Home Connect.

Nothing here imports Flet, HTTP or a database: the client, the server and the
tests all use these models directly. Nothing here reads a clock either: a rule
that depends on the time takes it (``now``, ``today``) from its caller.
"""
