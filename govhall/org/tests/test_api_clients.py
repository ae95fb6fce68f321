"""接口客户端 (issue 8 §2): the centre administrator creates clients (the token shown
once, stored as a hash), lists and revokes them, audited; the acting staff member must
hold the role the scope needs; nobody else may see the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govhall.core import audit, clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.org import api_clients, services
from govhall.org.models import ApiClient


def login(client, staff):
    assert client.login(username=staff.user.username, password="govhall-test")


def form_data(org, **extra):
    data = {
        "name": "市场监管业务系统",
        "access": "read",
        "scope": "department",
        "department": org.market.pk,
        "acting_staff": org.staff.market_chief.pk,
        "note": "同步办件状态",
    }
    data.update(extra)
    return data


def create(org, **extra):
    kwargs = dict(
        name="市场监管业务系统",
        access="read",
        scope="department",
        department=org.market,
        acting_staff=org.staff.market_chief,
    )
    kwargs.update(extra)
    return services.create_api_client(actor=org.staff.admin.user, **kwargs)


# --- services ----------------------------------------------------------------------


def test_create_stores_a_hash_and_writes_an_audit_row(org):
    client, token = create(org, note="同步")
    assert client.token_hash == api_clients.token_hash(token) and token not in client.token_hash
    assert token.startswith(client.prefix) and client.prefix.startswith("gh_")
    assert client.created_at == clock.now() and client.created_by == org.staff.admin.user
    assert api_clients.client_for_token(token) == client
    entry = AuditEntry.objects.get(action="org.api_client.create")
    assert entry.object_id == str(client.pk) and entry.actor_name == "管理员"
    assert "token_hash" not in entry.changes and entry.changes["name"] == [None, client.name]
    assert audit.label_of("org.api_client.create") == "新增接口客户端"
    assert audit.label_of("org.api_client.revoke") == "撤销接口客户端"


def test_each_worker_keeps_a_client_until_a_change_anywhere(org, django_assert_num_queries):
    from django.core.cache import cache

    client, token = create(org)
    assert api_clients.client_for_token(token) == client
    with django_assert_num_queries(0):  # kept: no database read on the next call
        assert api_clients.client_for_token(token).is_active
    # Another worker revokes it: the row changes there, and a new generation is set in
    # the shared cache (forget_clients); this worker reads the row again at once.
    ApiClient.objects.filter(pk=client.pk).update(is_active=False, revoked_at=clock.now())
    assert api_clients.client_for_token(token).is_active  # still the kept one
    cache.set(api_clients.GENERATION_KEY, "set-by-another-worker", timeout=None)
    assert not api_clients.client_for_token(token).is_active
    # Here, a save of the acting staff member is such a change too.
    staff = org.staff.market_chief
    staff.role = "clerk"
    staff.save()
    assert api_clients.client_for_token(token).acting_staff.role == "clerk"
    # Without the generation (evicted, cache down) every call reads the database.
    cache.delete(api_clients.GENERATION_KEY)
    with django_assert_num_queries(1):
        api_clients.client_for_token(token)


def test_two_tokens_differ(org):
    _, first = create(org)
    _, second = create(org, name="另一系统")
    assert first != second


@pytest.mark.parametrize(
    ("scope", "department", "staff", "code"),
    [
        ("department", None, "market_chief", "department_required"),
        ("department", "health", "market_chief", "invalid_acting_staff"),  # another dept
        ("department", "market", "clerk", "invalid_acting_staff"),  # not chief/approver
        ("department", "market", "admin", "invalid_acting_staff"),
        ("centre", None, "market_chief", "invalid_acting_staff"),
        ("centre", None, "supervisor", "invalid_acting_staff"),
        ("everything", None, "admin", "invalid_scope"),
    ],
)
def test_acting_staff_must_fit_the_scope(org, scope, department, staff, code):
    with pytest.raises(ValidationFailed) as exc:
        create(
            org,
            scope=scope,
            department=getattr(org, department) if department else None,
            acting_staff=getattr(org.staff, staff),
        )
    assert exc.value.code == code
    assert not ApiClient.objects.exists() and not AuditEntry.objects.exists()


def test_approver_and_admin_may_lend_their_authority(org):
    create(org, acting_staff=org.staff.market_approver)
    client, _ = create(org, name="全中心", scope="centre", acting_staff=org.staff.admin)
    assert client.department is None


def test_a_deactivated_staff_member_cannot_be_chosen(org):
    chief = org.staff.market_chief
    chief.is_active = False
    chief.save()
    with pytest.raises(ValidationFailed):
        create(org)
    assert chief not in api_clients.eligible_staff()


def test_names_are_unique(org):
    create(org)
    with pytest.raises(ValidationFailed) as exc:
        create(org)
    assert exc.value.code == "duplicate"


def test_only_the_centre_administrator_manages_clients(org):
    for person in (org.staff.market_chief, org.staff.supervisor, org.staff.clerk):
        with pytest.raises(PermissionDenied):
            services.create_api_client(
                actor=person.user,
                name="x",
                access="read",
                scope="department",
                department=org.market,
                acting_staff=org.staff.market_chief,
            )
    client, _ = create(org)
    with pytest.raises(PermissionDenied):
        services.revoke_api_client(actor=org.staff.market_chief.user, client=client, reason="x")


def test_revoke_keeps_the_row_and_is_audited(org):
    client, token = create(org)
    with pytest.raises(ValidationFailed):
        services.revoke_api_client(actor=org.staff.admin.user, client=client, reason=" ")
    with clock.frozen(clock.now().replace(hour=15)):
        services.revoke_api_client(actor=org.staff.admin.user, client=client, reason="系统下线")
        client.refresh_from_db()
        assert not client.is_active and client.revoked_at == clock.now()
    assert client.revoked_by == org.staff.admin.user and client.revoke_reason == "系统下线"
    entry = AuditEntry.objects.get(action="org.api_client.revoke")
    assert entry.reason == "系统下线" and entry.changes == {"is_active": [True, False]}
    with pytest.raises(Conflict) as exc:
        services.revoke_api_client(actor=org.staff.admin.user, client=client, reason="再次")
    assert exc.value.code == "api_client_revoked"
    assert ApiClient.objects.filter(pk=client.pk).exists()


def test_use_is_noted_at_most_once_a_minute(org, django_assert_num_queries):
    client, _ = create(org)
    services.note_api_client_use(client=client)
    assert client.last_used_at == clock.now()
    with django_assert_num_queries(0):
        services.note_api_client_use(client=client)
    with clock.frozen(clock.now().replace(minute=5)):
        with django_assert_num_queries(1):
            services.note_api_client_use(client=client)


# --- pages -------------------------------------------------------------------------


def test_admin_creates_a_client_and_sees_the_token_once(client, org):
    login(client, org.staff.admin)
    response = client.post(reverse("org:api_client_create"), form_data(org))
    assert response.status_code == 201, response.content.decode()
    assert response["Cache-Control"] == "no-store"
    api_client = ApiClient.objects.get()
    token = response.context["token"]
    assert api_client.token_hash == api_clients.token_hash(token)
    assert token in response.content.decode()
    detail = client.get(reverse("org:api_client", args=[api_client.pk])).content.decode()
    assert token not in detail and api_client.prefix in detail and "新增接口客户端" in detail
    listed = client.get(reverse("org:api_clients")).content.decode()
    assert "市场监管业务系统" in listed and token not in listed


def test_wrong_acting_staff_is_shown_beside_the_field(client, org):
    login(client, org.staff.admin)
    response = client.post(
        reverse("org:api_client_create"), form_data(org, acting_staff=org.staff.admin.pk)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["acting_staff"]
    assert not ApiClient.objects.exists()


def test_admin_revokes_on_the_page(client, org):
    api_client, _ = create(org)
    login(client, org.staff.admin)
    url = reverse("org:api_client_revoke", args=[api_client.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "系统下线"})
    assert response.status_code == 302
    api_client.refresh_from_db()
    assert not api_client.is_active
    page = client.get(reverse("org:api_client", args=[api_client.pk])).content.decode()
    assert "已撤销" in page and "撤销接口客户端" in page


@pytest.mark.parametrize("who", ["market_chief", "supervisor", "clerk"])
def test_others_are_refused_every_page(client, org, who):
    api_client, _ = create(org)
    login(client, getattr(org.staff, who))
    for url in (
        reverse("org:api_clients"),
        reverse("org:api_client_create"),
        reverse("org:api_client", args=[api_client.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("org:api_client_create"), form_data(org)).status_code == 403
    revoke = client.post(reverse("org:api_client_revoke", args=[api_client.pk]), {"reason": "x"})
    assert revoke.status_code == 403
    api_client.refresh_from_db()
    assert api_client.is_active and ApiClient.objects.count() == 1
    assert "接口客户端" not in client.get(reverse("org:staff_list")).content.decode()


def test_admin_sees_the_tab(client, org):
    login(client, org.staff.admin)
    assert reverse("org:api_clients") in client.get(reverse("org:staff_list")).content.decode()
