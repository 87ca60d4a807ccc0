"""The central API's services: the rules and transactions between the routers (HTTP) and the repositories (SQL)."""
