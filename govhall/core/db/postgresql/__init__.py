"""Django's PostgreSQL backend with one change for small bulk inserts (``compiler``)."""
