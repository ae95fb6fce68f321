"""Fixtures of the 审管联动 tests: the cases' ``hall`` / ``env`` (市场监管局 approves
食品经营许可, 卫健委 is a supervising department) with the market item supervised by
卫健委 through its 事项联动设置 (食品经营许可证, 60 months), and helpers that take a
case from the window to a decision through the case services.

``receiver`` is a live HTTP server on this machine standing for a department's
system: it checks the signature and keeps a ledger of what it took, one row per
delivery id; ``fail_first`` makes it answer 503 to that many requests first.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading

import pytest

from govhall.cases.tests import conftest as cases_fixtures
from govhall.cases.tests.conftest import act, submit
from govhall.licences import services, webhooks
from govhall.licences.models import ItemLinkage
from govhall.testing import factories

SECRET = "test-secret-0123456789"

# The cases' fixtures, under their own names.
hall = cases_fixtures.hall
env = cases_fixtures.env
tolerance = cases_fixtures.tolerance


@pytest.fixture
def linked(env):
    """The market item yields 食品经营许可证 (5 years) and is supervised by 卫健委."""
    linkage = ItemLinkage.objects.create(
        item=env.c.market_item,
        licence_name="食品经营许可证",
        type_code="11100000000013338W001",
        validity_months=60,
    )
    linkage.supervisors.add(env.c.health)
    return env


def approve(env, *, number="JY15062600001", serial=7, name="张三丰", item=None):
    """A case of ``item`` (default the market item) accepted, reviewed, approved and
    certified with ``number``."""
    applicant = {**factories.person(serial, name, "13800001234")}
    case = submit(env, item, applicant=applicant)
    case = act(case, "accept", env.s.clerk.user)
    case = act(case, "review", env.s.market_approver.user, opinion="符合")
    case = act(case, "decide", env.s.market_approver.user, result="approved", opinion="同意")
    return act(case, "certify", env.s.market_approver.user, result_number=number)


def deny(env, *, serial=8):
    case = submit(env, applicant=factories.person(serial, "李四", "13800005678"))
    case = act(case, "accept", env.s.clerk.user)
    case = act(case, "review", env.s.market_approver.user, opinion="不符合")
    return act(
        case,
        "decide",
        env.s.market_approver.user,
        result="denied",
        opinion="不予许可",
        reason="经营场所与住宅未有效隔离，不符合《食品经营许可管理办法》第十一条",
    )


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.taken: dict[str, dict] = {}
        self.requests = 0
        self.bad_signatures = 0
        self.fail_first = 0


@pytest.fixture
def receiver():
    ledger = Ledger()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with ledger.lock:
                ledger.requests += 1
                if ledger.fail_first > 0:
                    ledger.fail_first -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                ok = webhooks.verify(
                    secret=SECRET,
                    timestamp=self.headers.get(webhooks.TIMESTAMP),
                    sent=self.headers.get(webhooks.SIGNATURE),
                    body=body,
                )
                if not ok:
                    ledger.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                ledger.taken.setdefault(self.headers[webhooks.DELIVERY], json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ledger.url = f"http://127.0.0.1:{server.server_address[1]}/pushes"
    yield ledger
    server.shutdown()
    server.server_close()


def connect(env, url):
    return services.set_endpoint(actor=env.c.root, department=env.c.health, url=url, secret=SECRET)


TODAY = dt.date(2026, 12, 3)


# --------------------------------------------------------------------------- pages


def revoke(env, licence, *, by=None, effective_on=None, serious=False):
    """卫健委 (its 首席代表) records a revocation penalty on ``licence``."""
    report, _ = services.record_report(
        actor=(by or env.s.health_chief).user,
        department=env.c.health,
        kind="penalty",
        penalty="revocation",
        licence_number=licence.number,
        description="经营场所存在严重食品安全隐患，拒不整改",
        decision_number="卫罚〔2026〕12号",
        effective_on=effective_on or dt.date(2026, 11, 23),
        serious=serious,
    )
    return report
