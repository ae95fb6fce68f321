"""The organisation alone (no catalogue): enough for the shared page helpers."""

from __future__ import annotations

import pytest

from govhall.testing import factories


@pytest.fixture
def org(db):
    return factories.build_org()
