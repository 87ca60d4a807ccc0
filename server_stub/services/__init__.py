"""The central API's rules between the routers (HTTP) and the repositories (SQL)."""
