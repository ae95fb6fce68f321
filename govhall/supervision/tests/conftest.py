"""Fixtures of the cases tests (``hall``, ``env``, ``special`` …) reused here."""

from govhall.cases.tests.conftest import env, hall, health_item, special  # noqa: F401
