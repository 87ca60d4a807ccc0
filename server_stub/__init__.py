"""Care Home Connect central API (a FastAPI app over a SQL database).

Build it with ``server_stub.app.create_app(Settings(...))``; run it with
``python -m server_stub``.
"""
