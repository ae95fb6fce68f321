"""The demo county's 检索记录: every state the staff page shows."""

import pytest

from govhall.catalog.models import VersionStatus
from govhall.demo.tests.test_load_demo import demo, output  # noqa: F401
from govhall.finder.models import GuideVector, Search

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("output")
def test_the_demo_has_searches_in_every_state_and_every_guide_encoded(client):
    from govhall.catalog.selectors import current_versions

    assert not current_versions().exclude(pk__in=GuideVector.objects.values("version_id")).exists()
    searches = Search.objects.all()
    assert searches.filter(found=True, opened_item__isnull=False).exists()
    assert searches.filter(found=True, opened_item__isnull=True).exists()
    assert searches.filter(found=False, keyword_added="").exists()
    handled = searches.get(keyword_added="房本")
    assert handled.handled_by.username == "admin"
    from govhall.catalog.models import ItemVersion

    # the keyword waits in the item's draft, for the normal 发布
    draft = ItemVersion.objects.get(status=VersionStatus.DRAFT, keywords__contains="房本")
    assert draft.item.versions.filter(status=VersionStatus.PUBLISHED).exists()
    assert {"portal", "desk", "kiosk"} <= set(searches.values_list("channel", flat=True))
    assert not searches.filter(text__contains="150626199001011234").exists()  # masked
    # the staff page shows the unfound ones first in its summary
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    body = client.get("/staff/finder/", {"nothing": "1"}).content.decode()
    assert "房本" in body and "奶茶" in body and "已补充" in body
