"""The public portal as a citizen meets it: search, browse, read a guide, print it."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog import services as catalog_services
from govhall.catalog.models import HandlingForm, ItemVersion
from govhall.finder.models import Search
from govhall.org.models import Centre, Department
from govhall.portal import views
from govhall.testing.factories import default_steps


def _names(response) -> list[str]:
    """The names listed: the finder's hits with ``q``, else the page browsed."""
    found = response.context["found"]
    if found is not None:
        return [h.version.name for h in found.hits]
    return [v.name for v in response.context["page"]]


def _guide_url(item) -> str:
    return f"/items/{item.implementation_code}/"


@pytest.mark.parametrize(
    ("query", "expected", "reason"),
    [
        ("户口", ["户口迁移登记"], "事项名称：户口"),
        ("社保", ["企业职工参保登记"], "俗称/关键词：社保"),  # only in the keywords (俗称)
        ("营业", ["个体工商户营业执照核发"], "事项名称：营业"),
    ],
)
def test_two_character_queries_find_the_right_items_only(
    client, catalogue, query, expected, reason
):
    """The finder answers ``q`` (no vectors here: its words, not its meaning)."""
    response = client.get("/items/", {"q": query})
    assert response.status_code == 200
    assert _names(response) == expected
    html = response.content.decode()
    assert "为您找到 <strong>1</strong> 个相关事项" in html
    assert f'value="{query}"' in html
    assert "为什么匹配：" in html and reason in html


def test_query_matches_names_and_the_department_is_a_filter(client, catalogue):
    # 卫生 is in 公共场所卫生许可's name; 放射诊疗许可 (卫生健康委员会) no longer
    # matches by its department's name: the department is the filter's business
    assert _names(client.get("/items/", {"q": "卫生"})) == ["公共场所卫生许可"]
    health = catalogue.county.health.pk
    licences = set(_names(client.get("/items/", {"q": "许可"})))
    assert {"公共场所卫生许可", "放射诊疗许可", "食品经营许可"} <= licences
    narrowed = client.get("/items/", {"q": "许可", "department": health})
    assert set(_names(narrowed)) == {"公共场所卫生许可", "放射诊疗许可"}
    assert "已按筛选条件过滤" in narrowed.content.decode()


def test_a_result_list_still_offers_the_phones_under_it(client, catalogue):
    # the threshold cannot tell every near miss (护照 near 居住证): the way out is always shown
    Centre.objects.filter(level="county").update(phone="0477-7201234")
    html = client.get("/items/", {"q": "营业"}).content.decode()
    tail = html[html.index('id="not-this"') :]
    assert "0477-7201234" in tail and "12345" in tail


def test_query_with_no_match_says_so_and_offers_the_phones(client, catalogue):
    Centre.objects.filter(level="county").update(phone="0477-7201234")
    response = client.get("/items/", {"q": "护照"})
    assert _names(response) == []
    html = response.content.decode()
    assert "没有找到与“护照”相符的事项" in html
    assert "0477-7201234" in html and "12345" in html and "政务服务便民热线" in html
    assert 'class="result-item' not in html  # no list of unrelated items
    # the filters leave nothing: said so, with the way back
    narrowed = client.get("/items/", {"q": "户口", "type": "licensing"})
    assert _names(narrowed) == []
    html = narrowed.content.decode()
    assert "没有找到与“户口”相符的事项（在所选的筛选条件下）" in html
    assert 'href="/items/?q=%E6%88%B7%E5%8F%A3"' in html


def test_results_offer_their_life_events_and_the_log_records_the_guide_opened(client, catalogue):
    response = client.get("/items/", {"q": "营业"})
    html = response.content.decode()
    assert "您要办的可能属于：" in html
    assert 'href="/items/?life_event=start-up">开办企业</a>' in html
    search_id = response.context["found"].finding.search_id
    search = Search.objects.get(pk=search_id)
    assert search.channel == "portal" and search.found and search.text == "营业"
    guide = f"/items/{catalogue.business.implementation_code}/?fq={search_id}"
    assert f'href="{guide}"' in html
    assert client.get(guide).status_code == 200
    search.refresh_from_db()
    assert search.opened_item == catalogue.business and search.opened_at is not None
    # a forged or foreign id is ignored, and the first guide opened stays
    assert client.get(_guide_url(catalogue.hukou) + "?fq=abc").status_code == 200
    assert client.get(_guide_url(catalogue.hukou) + f"?fq={search_id}").status_code == 200
    search.refresh_from_db()
    assert search.opened_item == catalogue.business


def test_a_query_over_100_characters_is_refused_with_its_message(client, catalogue):
    response = client.get("/items/", {"q": "户" * 101})
    assert response.status_code == 200
    html = response.content.decode()
    assert "检索内容最多100个字，请说得简短些" in html
    assert not Search.objects.exists()
    assert 'maxlength="100"' in html


def test_result_shows_department_type_case_type_limit_and_badge(client, catalogue):
    html = client.get("/items/", {"q": "户口"}).content.decode()
    assert "测试县公安局" in html
    assert "行政确认" in html
    assert "即办件" in html
    assert "承诺时限：当场办结" in html
    assert "最多跑一次" in html
    html = client.get("/items/", {"q": "营业"}).content.decode()
    assert "承诺时限：3个工作日" in html and "最多跑一次" not in html


def test_filters_by_department_type_life_event_and_level(client, catalogue):
    by_dept = client.get("/items/", {"department": catalogue.police.pk})
    assert sorted(_names(by_dept)) == ["户口迁移登记", "涉密人员出境审批"]
    by_type = client.get("/items/", {"type": "public_service"})
    assert _names(by_type) == ["企业职工参保登记"]
    by_event = client.get("/items/", {"life_event": "start-up"})
    assert sorted(_names(by_event)) == ["个体工商户营业执照核发", "企业职工参保登记"]
    village = client.get("/items/", {"level": "village"})
    assert _names(village) == ["户口迁移登记"]
    combined = client.get("/items/", {"level": "township", "q": "社保"})
    assert _names(combined) == ["企业职工参保登记"]


def test_bad_filter_values_are_ignored_not_errors(client, catalogue):
    response = client.get("/items/", {"level": "x; drop", "type": "nope", "department": "abc"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 8


def test_pagination_keeps_the_filters(client, catalogue, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    first = client.get("/items/")
    assert first.context["page"].paginator.count == 8
    assert len(_names(first)) == 3
    assert "第 1 / 3 页" in first.content.decode()
    licensing = client.get("/items/", {"type": "licensing"})
    assert licensing.context["page"].paginator.count == 6
    assert "type=licensing&amp;page=2" in licensing.content.decode()
    page2 = client.get("/items/", {"type": "licensing", "page": 2})
    assert len(_names(page2)) == 3
    assert set(_names(licensing)).isdisjoint(_names(page2))
    one_page = client.get("/items/", {"q": "登记"}).content.decode()
    assert "page=2" not in one_page  # 2 results fit on one page


def test_home_browses_by_department_type_and_life_event(client, catalogue):
    response = client.get("/")
    html = response.content.decode()
    assert 'placeholder="说说您要办什么，如：想开一家奶茶店"' in html
    assert 'id="home-q" maxlength="100"' in html
    departments = {f.label: f.count for f in response.context["departments"]}
    assert departments["测试县公安局"] == 2
    assert departments["测试县市场监督管理局"] == 2
    assert f'href="/items/?department={catalogue.police.pk}"' in html
    types = {f.label: f.count for f in response.context["types"]}
    assert types["行政许可"] == 6 and types["公共服务"] == 1 and types["行政备案"] == 0
    events = response.context["life_events"]
    assert [(f.label, f.count) for f in events["个人"]] == [("生育收养", 1)]
    assert [(f.label, f.count) for f in events["法人"]] == [("开办企业", 2)]
    assert "个人主题" in html and "法人主题" in html
    assert 'href="/lists/negative/"' in html


def test_guide_page_shows_everything_a_citizen_needs(client, catalogue):
    response = client.get(_guide_url(catalogue.business))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "个体工商户营业执照核发",
        catalogue.business.implementation_code,
        "000111222002",
        "测试县市场监督管理局",
        "行政许可",
        "县级",
        "《中华人民共和国行政许可法》第二十九条",
        "个体工商户开业登记申请书",
        "经营场所使用证明",
        "可容缺",
        "场所使用证明样表",
        "不收费",
        "一审一核",
        "材料齐全、符合法定形式",
        "15个工作日",  # 法定时限
        "3个工作日",  # 承诺时限
        "窗口办理、网上办理",
        "营业执照",
        "0477-7201234",
        "12345",
        "测试县政务服务中心",
        "容缺受理",
        "第1版",
        "2026年11月23日",
        ">打印</button>",
    ]:
        assert text in html, text
    assert 'id="not-accepted"' not in html


def test_guide_page_shows_fees_and_special_steps_not_counted(client, catalogue):
    html = client.get(_guide_url(catalogue.special)).content.decode()
    assert "每件300元" in html and "《放射诊疗管理规定》第十二条" in html
    assert "特别程序" in html
    special = html.split('id="special-steps"')[1].split("</table>")[0]
    assert "专家评审" in special and "15个工作日" in special
    assert "不计入办结时限" in special
    # the date a case accepted today is due says the special steps come on top
    assert "办结（特别程序时间另计）" in html.split('id="due-if-today"')[1].split("</div>")[0]


def test_guide_page_turns_the_promised_limit_into_a_date(client, catalogue):
    """承诺时限 3 个工作日 as a citizen reads it: accepted today, due when. On a day the
    centre is closed the count starts from the next working day; a due date in a 推算
    year says 暂定."""
    from govhall.core import clock

    url = _guide_url(catalogue.business)
    html = client.get(url).content.decode()  # Monday 2026-11-23
    assert "今天（或下一个工作日）受理的，最迟 2026年11月26日 办结" in html
    assert "暂定" not in html.split('id="due-if-today"')[1].split("</div>")[0]
    with clock.frozen(dt.date(2026, 11, 28)):  # Saturday: accepted Monday 11-30
        assert "最迟 2026年12月3日 办结" in client.get(url).content.decode()
    with clock.frozen(dt.date(2026, 12, 29)):  # Tue: Wed 30, Thu 31, (元旦), Mon 2027-01-04
        html = client.get(url).content.decode()
    assert "最迟 2027年1月4日 办结（暂定：2027年放假安排尚未公布，按推算）" in html


def test_instant_item_is_done_on_the_spot_and_lists_where_to_apply(client, catalogue):
    html = client.get(_guide_url(catalogue.hukou)).content.decode()
    assert '<dd class="col-sm-9 col-md-4" id="promised-limit">当场办结</dd>' in html
    where = html.split('id="where"')[1].split("</ul>")[0]
    assert "测试县政务服务中心" in where
    assert "测试镇便民服务中心" in where
    assert "测试村便民服务站" in where
    assert "迁入地址与房产证不一致" in html  # 常见错误


def test_suspended_and_negative_list_items_warn_they_are_not_accepted(client, catalogue):
    html = client.get(_guide_url(catalogue.suspended)).content.decode()
    assert "该事项暂停受理：系统升级。暂停期间不接受申请" in html
    html = client.get(_guide_url(catalogue.secret)).content.decode()
    assert "列入负面清单，不进驻政务服务中心" in html
    assert "涉及国家秘密" in html
    listed = client.get("/items/", {"department": catalogue.social.pk}).content.decode()
    assert "暂停办理" in listed


def test_old_version_stays_readable_with_a_notice(client, catalogue):
    item = catalogue.county.market_item
    actor = catalogue.county.staff.market_chief.user
    draft = catalog_services.start_draft(actor=actor, item=item)
    catalog_services.save_draft(
        actor=actor, version=draft, guide={"promised_limit_days": 2}, steps=default_steps(2)
    )
    # the centre publishes (an approved adjustment request, govhall.governance)
    admin = catalogue.county.staff.admin.user
    catalog_services.publish(actor=admin, version=draft, change_note="压缩时限")

    current = client.get(_guide_url(item)).content.decode()
    assert '<dd class="col-sm-9 col-md-4" id="promised-limit">2个工作日<' in current
    # Monday 2026-11-23 + 2 working days, as a case accepted today would be due
    assert "最迟 2026年11月25日 办结" in current
    assert 'id="version-note"' not in current
    assert f'href="/items/{item.implementation_code}/v/1/"' in current

    old = client.get(f"/items/{item.implementation_code}/v/1/")
    assert old.status_code == 200
    html = old.content.decode()
    assert '<dd class="col-sm-9 col-md-4" id="promised-limit">5个工作日</dd>' in html
    assert "不是现行版本" in html
    assert "查看现行版本（第2版）" in html

    missing = client.get(f"/items/{item.implementation_code}/v/9/")
    assert missing.status_code == 404 and "没有第9版" in missing.content.decode()


def test_negative_list_page(client, catalogue):
    response = client.get("/lists/negative/")
    html = response.content.decode()
    table = html.split('id="list-negative"')[1].split("</table>")[0]
    assert "涉密人员出境审批" in table
    assert "测试县公安局" in table
    assert "涉及国家秘密，不宜进驻" in table
    assert "0477-7205110" in table
    assert "户口迁移登记" not in table


def test_unknown_code_and_draft_only_item_give_a_chinese_404(client, catalogue):
    response = client.get("/items/NOSUCHCODE/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "NOSUCHCODE" in html
    county = catalogue.county
    draft_only = catalog_services.create_item(
        actor=county.root,
        department=county.market,
        basic_code="000111222009",
        implementation_code=county.market.code + "00011122200901",
        type="licensing",
        name="草稿中的户口事项",
    )
    assert client.get(_guide_url(draft_only)).status_code == 404
    assert _names(client.get("/items/", {"q": "户口"})) == ["户口迁移登记"]


def test_catalogue_page_query_count_does_not_grow_with_results(
    client, catalogue, django_assert_max_num_queries
):
    assert catalog_selectors.search_items().count() == 8
    # 8 results, yet a fixed handful of queries: no query per result (N+1)
    with django_assert_max_num_queries(5):
        client.get("/items/")
    with django_assert_max_num_queries(8):
        client.get("/")
    # 13: the guide's 8, the online check (centre, version in force, 进驻), the guide
    # being 收费, its 收费清单, and the calendar's version check (the date a case
    # accepted today would be due).
    with django_assert_max_num_queries(13):
        client.get(_guide_url(catalogue.special))
    # the publication in force (none yet, so the list as the catalogue makes it), the
    # history of publications and the site's name
    with django_assert_max_num_queries(4):
        client.get("/lists/negative/")


def test_a_guide_offered_online_links_to_its_application(client, catalogue):
    item = catalogue.county.market_item
    html = client.get(_guide_url(item)).content.decode()
    assert f'<a class="btn btn-primary btn-lg" href="/cases/apply/{item.pk}/">在线申请</a>' in html
    assert client.get(f"/cases/apply/{item.pk}/").status_code == 200


def test_a_window_only_guide_says_where_to_go(client, catalogue):
    item = catalogue.county.market_item
    ItemVersion.objects.filter(item=item).update(handling_form=HandlingForm.WINDOW)
    html = client.get(_guide_url(item)).content.decode()
    assert "/cases/apply/" not in html
    assert "该事项不提供网上申请，请带齐申请材料到下方" in html and 'id="where"' in html
    page = client.get(f"/cases/apply/{item.pk}/")
    assert page.status_code == 404
    assert "该事项不提供网上申请，请带齐申请材料到窗口办理" in page.content.decode()


def test_not_accepted_items_tell_the_truth_on_the_application_page(client, catalogue):
    """A negative-list item is not in the hall: go to the department, at its address.
    A suspended item is not accepted anywhere, and the page says why."""
    secret = catalogue.secret
    Department.objects.filter(pk=secret.department_id).update(address="乌审旗嘎鲁图镇团结路8号")
    page = client.get(f"/cases/apply/{secret.pk}/").content.decode()
    assert "请到实施部门办理" in page and "乌审旗嘎鲁图镇团结路8号" in page
    assert "请到政务服务中心窗口办理" not in page
    assert "乌审旗嘎鲁图镇团结路8号" in client.get(_guide_url(secret)).content.decode()
    page = client.get(f"/cases/apply/{catalogue.suspended.pk}/").content.decode()
    assert "该事项暂停受理：系统升级。暂停期间不接受申请（窗口和网上均不受理）" in page


def test_bundles_are_on_the_portal_with_their_items_and_materials(client, catalogue):
    """Issue 10 §2: 一件事 were not on the portal."""
    from govhall.cases.models import Bundle, BundleItem

    county = catalogue.county
    bundle = Bundle.objects.create(
        code="kaidian", name="开办小餐馆", lead_department=county.market, description="一次办好"
    )
    BundleItem.objects.create(bundle=bundle, item=catalogue.business, order=1)
    BundleItem.objects.create(bundle=bundle, item=county.market_item, order=2)
    Bundle.objects.create(
        code="old", name="已停用的一件事", lead_department=county.market, is_active=False
    )
    listing = client.get("/bundles/").content.decode()
    assert "开办小餐馆" in listing and "含 2 个事项" in listing and "已停用" not in listing
    page = client.get("/bundles/kaidian/").content.decode()
    assert (
        "个体工商户营业执照核发" in page
        and f"/items/{catalogue.business.implementation_code}/" in page
    )
    assert "综合受理窗口一次提交" in page
    materials = page[page.index('id="bundle-materials"') :]
    assert "个体工商户开业登记申请书" in materials
    assert client.get("/bundles/old/").status_code == 404
    assert "/bundles/" in client.get("/").content.decode()  # in the portal's navigation


def test_a_bundle_offered_online_is_applied_for_in_one_form(client, catalogue, tmp_path):
    """Issue 10 §2: the bundle's guide has an apply button, and one submission
    registers the parent and a child per item at the online centre."""
    import io

    import pypdf
    from django.core.files.uploadedfile import SimpleUploadedFile

    from govhall.cases.models import Bundle, BundleItem, Case
    from govhall.testing.factories import make_id_number

    county = catalogue.county
    bundle = Bundle.objects.create(code="kaidian", name="开办小餐馆", lead_department=county.market)
    BundleItem.objects.create(bundle=bundle, item=catalogue.business, order=1)
    BundleItem.objects.create(bundle=bundle, item=county.market_item, order=2)
    page = client.get("/bundles/kaidian/").content.decode()
    assert 'href="/cases/apply/bundle/kaidian/">在线申请</a>' in page

    writer, out = pypdf.PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=72, height=72)
    writer.write(out)
    data = {
        "a-kind": "person",
        "a-name": "张三丰",
        "a-id_number": make_id_number(3),
        "a-phone": "13912345678",
    }
    for item in (catalogue.business, county.market_item):
        for m in item.versions.get().materials.all():
            data[f"i{item.pk}-f{m.pk}"] = SimpleUploadedFile(f"{m.pk}.pdf", out.getvalue())
    response = client.post("/cases/apply/bundle/kaidian/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    parent = Case.objects.get(bundle=bundle, parent__isnull=True)
    assert parent.channel == "online" and parent.children.count() == 2
    assert parent.events.get().actor_name.startswith("申请人")


def test_a_bundle_with_a_window_only_item_says_so(client, catalogue):
    from govhall.cases.models import Bundle, BundleItem

    county = catalogue.county
    bundle = Bundle.objects.create(code="chuzu", name="窗口一件事", lead_department=county.market)
    BundleItem.objects.create(bundle=bundle, item=county.market_item, order=1)
    ItemVersion.objects.filter(item=county.market_item).update(handling_form=HandlingForm.WINDOW)
    page = client.get("/bundles/chuzu/").content.decode()
    assert "/cases/apply/bundle/" not in page and "暂不能网上一次申请" in page
    assert client.get("/cases/apply/bundle/chuzu/").status_code == 404
