"""The demo's filings: both kinds, every state, every channel, an overdue one, made by
real people (audited); every 行政备案 item of the demo catalogue names its 备案类别."""

from __future__ import annotations

import pytest

from govhall.catalog.models import FilingKind, ItemType
from govhall.catalog.selectors import current_versions
from govhall.core.models import AuditEntry
from govhall.demo.tests.test_load_demo import demo, output  # noqa: F401
from govhall.filings.demo import load_demo_filings
from govhall.filings.models import Channel, Filing, State

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("output")
def test_the_demo_holds_both_kinds_in_every_state():
    filings = list(Filing.objects.all())
    assert {f.state for f in filings} == set(State.values)
    assert {f.kind for f in filings} == set(FilingKind.values)
    assert {f.channel for f in filings} == set(Channel.values)
    assert any(f.overdue for f in filings)
    numbers = sorted(f.number for f in filings if f.number)
    assert numbers == [f"BA{numbers[0][2:6]}-{i:06d}" for i in range(1, len(numbers) + 1)]
    assert AuditEntry.objects.filter(object_type="filings.filing").count() >= len(filings)
    kinds = (
        current_versions().filter(item__type=ItemType.FILING).values_list("filing_kind", flat=True)
    )
    assert "" not in set(kinds) and set(kinds) == set(FilingKind.values)
    assert load_demo_filings() == {"行政备案": 0}
