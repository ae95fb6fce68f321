"""The finder on the demo catalogue: what a citizen's words find, and why."""

import pytest
from django.contrib.auth import get_user_model

from govhall.catalog import services as catalog_services
from govhall.catalog.models import Item, ItemVersion, VersionStatus
from govhall.core.errors import ValidationFailed
from govhall.core.models import AuditEntry
from govhall.finder import evaluation, selectors, services
from govhall.finder.models import GuideVector, Search
from govhall.org.models import Department
from govhall.testing import factories

pytestmark = pytest.mark.usefixtures("demo_catalogue")


def names(q, **options):
    return [h.version.name for h in selectors.find(q=q, log=False, **options).hits]


def test_the_issues_two_sentences_find_their_items():
    assert "食品经营许可" in names("想开一家奶茶店")[:3]
    finding = selectors.find(q="我家小孩出生证明找不到了", log=False)
    first = finding.hits[0]
    assert first.version.name == "出生医学证明补发"
    assert "俗称/关键词：出生证明" in [str(r) for r in first.reasons]
    assert [e.name for e in finding.life_events][:1] == ["生育收养"]


def test_meaning_finds_what_no_word_of_the_query_names():
    # no keyword of 户口注销（死亡） is in the sentence; 户口 alone would rank five others
    assert names("老人过世了户口怎么办")[0] == "户口注销（死亡）"
    assert names("公司要搬到别的地方")[0] == "有限责任公司变更登记"
    reasons = selectors.find(q="公司要搬到别的地方", log=False).hits[0].reasons
    assert reasons[0].field == "meaning"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("shebaoka", "社会保障卡申领"),
        ("sbk", "社会保障卡申领"),
        ("jhdj", "内地居民结婚登记"),  # initials inside a longer name
        ("社保咔", "社会保障卡申领"),  # a homophone typo
        ("身分证", "居民身份证申领（换领、补领）"),
        ("ID card丢了", "居民身份证申领（换领、补领）"),
    ],
)
def test_pinyin_typos_and_english_words(query, expected):
    assert expected in names(query)[:2]


def test_full_pinyin_finds_every_item_of_the_word():
    found = selectors.find(q="hukou", log=False).hits
    assert "户口迁移（迁入）" in [h.version.name for h in found[:6]]
    assert all("户口" in h.version.name + h.version.keywords for h in found[:6])


def test_pinyin_reason_names_the_word_it_read():
    hit = selectors.find(q="sbk", log=False).hits[0]
    assert str(hit.reasons[0]) == "拼音：社保卡"


def test_an_exact_name_or_code_comes_first():
    assert names("食品经营许可")[0] == "食品经营许可"  # not its 变更 / 延续 variants
    item = Item.objects.get(versions__name="排污许可")
    finding = selectors.find(q=item.implementation_code.lower(), log=False)
    assert finding.hits[0].item == item and finding.hits[0].reasons[0].field == "code"


def test_nothing_close_says_so_instead_of_listing_unrelated_items():
    for query in ["今天天气怎么样", "我想买彩票"]:
        assert not selectors.find(q=query, log=False).found


def test_the_desk_sees_only_what_the_hall_accepts():
    suspended = "道路货物运输经营许可（危险货物）"
    assert suspended in names("危货运输罐车")
    assert suspended not in names("危货运输罐车", accepting_only=True)


def test_a_query_over_100_characters_is_refused():
    with pytest.raises(ValidationFailed) as err:
        selectors.find(q="办" * 101)
    assert err.value.code == "query_too_long"
    assert selectors.find(q="   ").hits == []


def test_the_log_keeps_the_words_not_the_person():
    finding = selectors.find(
        q="身份证号150626199001011234 手机13912345678 身份证丢了", channel="portal"
    )
    search = Search.objects.get(pk=finding.search_id)
    assert "150626199001011234" not in search.text and "13912345678" not in search.text
    assert search.text == "身份证号＊ 手机＊ 身份证丢了"
    assert search.found and search.hits[0] == finding.hits[0].item.implementation_code
    services.record_opened(search_id=finding.search_id, item=finding.hits[0].item)
    services.record_opened(search_id="x' or 1=1", item=finding.hits[0].item)  # ignored
    search.refresh_from_db()
    assert search.opened_item == finding.hits[0].item and search.opened_at is not None


def test_a_published_guide_is_encoded_and_found_by_meaning(django_capture_on_commit_callbacks):
    admin = get_user_model().objects.get(username="admin")
    department = Department.objects.get(name__contains="市场监督")
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.publish_item(
            actor=admin,
            department=department,
            basic_code="000201099000",
            name="电动自行车登记上牌",
            keywords="电动车 上牌",
            result_name="电动自行车号牌",
        )
    version = item.versions.get(status=VersionStatus.PUBLISHED)
    assert GuideVector.objects.filter(version=version).exists()  # the task ran
    assert names("我买了个电瓶车要挂牌子")[0] == "电动自行车登记上牌"


def test_a_keyword_added_from_the_log_goes_through_the_draft(django_capture_on_commit_callbacks):
    admin = get_user_model().objects.get(username="admin")
    finding = selectors.find(q="房本", channel="portal")
    assert not finding.found
    search = Search.objects.get(pk=finding.search_id)
    item = Item.objects.get(versions__name="国有建设用地使用权及房屋所有权转移登记")
    draft = services.add_keyword(actor=admin, search=search, item=item, keyword="房本")
    assert draft.status == VersionStatus.DRAFT and "房本" in draft.keywords.split()
    assert not selectors.find(q="房本", log=False).found  # not before 发布
    search.refresh_from_db()
    assert search.keyword_added == "房本" and search.handled_by == admin
    assert AuditEntry.objects.filter(action="finder.search.add_keyword").exists()
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.publish(actor=admin, version=draft, change_note="补充俗称“房本”")
    assert names("房本")[0] == "国有建设用地使用权及房屋所有权转移登记"
    with pytest.raises(ValidationFailed):
        services.add_keyword(actor=admin, search=search, item=item, keyword="房 本")


def test_the_evaluation_set_does_not_get_worse():
    """The floor under the figures ``make bench`` prints (85.2 % / 95.6 % when set)."""
    cases = evaluation.load()
    assert len(cases) >= 150
    score = evaluation.score(cases, evaluation.finder_search())
    assert score.top5_rate >= 0.94, score.misses
    assert score.top1_rate >= 0.83, score.misses
    baseline = evaluation.score(cases, evaluation.substring_search)
    assert score.top5_rate > baseline.top5_rate + 0.5


def test_every_answer_in_the_evaluation_set_is_an_item_of_the_demo():
    known = set(ItemVersion.objects.values_list("name", flat=True))
    for case in evaluation.load():
        assert set(case.answers) <= known, case


def test_reindex_replaces_every_vector_and_the_finder_still_answers():
    from io import StringIO

    from django.core.management import call_command

    before = dict(GuideVector.objects.values_list("version_id", "pk"))
    out = StringIO()
    call_command("reindex_finder", "--current", stdout=out)
    after = dict(GuideVector.objects.values_list("version_id", "pk"))
    assert set(after) == set(before)  # one vector per version, none lost
    assert all(after[v] != before[v] for v in before)  # each written anew
    assert "重建完成" in out.getvalue()
    call_command("reindex_finder", "--missing", stdout=out)
    assert "已编码 0 个" in out.getvalue()
    assert names("我家小孩出生证明找不到了")[0] == "出生医学证明补发"
