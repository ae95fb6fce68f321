"""知识库: audited edits, publishing, and the catalogue's search (substring per word)."""

from __future__ import annotations

import pytest

from govhall.core.errors import Conflict, PermissionDenied
from govhall.core.models import AuditEntry
from govhall.feedback.complaints import selectors, services
from govhall.testing import factories

pytestmark = pytest.mark.django_db


def _entry(org, question="营业执照遗失怎么补办", answer="携带身份证到市场监管窗口申请补领。", **kw):
    entry = services.create_entry(
        actor=org.staff.admin.user, question=question, answer=answer, **kw
    )
    return services.set_published(actor=org.staff.admin.user, entry=entry, published=True)


def test_search_finds_two_character_words_and_needs_every_word(org):
    first = _entry(org, keywords="执照 补领", department=org.market)
    _entry(org, question="社保卡怎么激活", answer="到社保窗口或银行网点激活。")
    assert list(selectors.search_knowledge(q="营业")) == [first]
    assert list(selectors.search_knowledge(q="补领 市场监管")) == [first]  # answer, department
    assert list(selectors.search_knowledge(q="营业 社保")) == []
    assert selectors.search_knowledge(q="").count() == 2


def test_unpublished_entries_are_not_answered_from(org):
    draft = services.create_entry(actor=org.staff.clerk.user, question="公积金提取", answer="……")
    assert not selectors.search_knowledge(q="公积金").exists()
    assert list(selectors.search_knowledge(q="公积金", published_only=False)) == [draft]


def test_edits_are_audited_with_before_and_after(org):
    entry = _entry(org)
    entry = services.update_entry(
        actor=org.staff.clerk.user, entry=entry, expected_version=1, answer="可网上申请补领。"
    )
    assert entry.version == 2
    row = AuditEntry.objects.get(action="complaints.knowledge.update")
    assert row.changes["answer"] == ["携带身份证到市场监管窗口申请补领。", "可网上申请补领。"]
    assert row.actor_name == "综窗"
    assert list(selectors.search_knowledge(q="网上申请")) == [entry]
    with pytest.raises(Conflict):
        services.update_entry(
            actor=org.staff.clerk.user, entry=entry, expected_version=1, answer="x"
        )


def test_who_keeps_the_knowledge_base(org):
    mine = services.create_entry(
        actor=org.staff.market_chief.user,
        question="食品经营许可",
        answer="……",
        department=org.market,
    )
    with pytest.raises(PermissionDenied):
        services.create_entry(
            actor=org.staff.market_chief.user,
            question="卫生许可",
            answer="……",
            department=org.health,
        )
    with pytest.raises(PermissionDenied):
        services.update_entry(
            actor=org.staff.health_chief.user, entry=mine, expected_version=1, answer="改"
        )
    with pytest.raises(PermissionDenied):
        services.set_published(actor=org.staff.market_chief.user, entry=mine, published=True)
    services.set_published(actor=org.staff.admin.user, entry=mine, published=True)
    assert AuditEntry.objects.filter(action="complaints.knowledge.publish").count() == 1


def test_related_catalogue_items_come_from_the_catalogue_search(org):
    item = factories.add_county_item(org, "market_item")
    assert [v.item for v in selectors.related_items(q="食品")] == [item]
    assert selectors.related_items(q="") == []
