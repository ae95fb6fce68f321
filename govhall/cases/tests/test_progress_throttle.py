"""The public progress query is throttled (issue 8 §2), so the 10,000 phone tails of a
受理编号 cannot be walked: a few wrong tails per number, a few queries per address."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from .conftest import submit_at_window

RIGHT_TAIL = "1234"  # conftest.DESK_PHONE ends so
URL = "cases_public:progress"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _query(client, number, tail, address="10.1.2.3"):
    return client.get(reverse(URL), {"number": number, "phone_tail": tail}, REMOTE_ADDR=address)


def _wrong_tails(n):
    return [f"{i:04d}" for i in range(5000, 5000 + n)]


def test_thirty_wrong_tails_then_the_right_one_is_refused(client, hall):
    case = submit_at_window(hall)
    for i, tail in enumerate(_wrong_tails(30)):
        # from many addresses, so only the per-number limit is at work
        _query(client, case.number, tail, address=f"10.2.0.{i + 1}")
    response = _query(client, case.number, RIGHT_TAIL, address="10.3.0.1")
    assert response.status_code == 429
    page = response.content.decode()
    assert "查询过于频繁" in page
    assert "食品经营许可" not in page and "已申请" not in page  # nothing about the case
    assert "未找到" not in page  # and no hint whether the tail was right


def test_the_refusal_does_not_tell_a_right_tail_from_a_wrong_one(client, hall, settings):
    case = submit_at_window(hall)
    limit = int(settings.GOVHALL_PROGRESS_WRONG_TAILS_PER_NUMBER.split("/")[0])
    for i, tail in enumerate(_wrong_tails(limit)):
        assert _query(client, case.number, tail, address=f"10.2.0.{i + 1}").status_code == 200
    right = _query(client, case.number, RIGHT_TAIL, address="10.3.0.1")
    wrong = _query(client, case.number, "0000", address="10.3.0.2")
    assert right.status_code == wrong.status_code == 429

    def page(response, tail):  # the form echoes the typed tail; nonces differ per page
        text = response.content.decode().replace(f'value="{tail}"', 'value="…"')
        return re.sub(r'nonce="[^"]*"', "", text)

    assert page(right, RIGHT_TAIL) == page(wrong, "0000")


def test_the_right_tail_answers_after_fewer_wrong_ones_than_the_limit(client, hall, settings):
    case = submit_at_window(hall)
    limit = int(settings.GOVHALL_PROGRESS_WRONG_TAILS_PER_NUMBER.split("/")[0])
    for tail in _wrong_tails(limit - 1):
        assert "未找到" in _query(client, case.number, tail).content.decode()
    response = _query(client, case.number, RIGHT_TAIL)
    assert response.status_code == 200 and "食品经营许可" in response.content.decode()
    # right answers do not use up the number's allowance
    for _ in range(3):
        assert _query(client, case.number, RIGHT_TAIL, address="10.4.0.1").status_code == 200


def test_one_address_is_limited_across_numbers(client, hall, settings):
    case = submit_at_window(hall)
    limit = int(settings.GOVHALL_PROGRESS_RATE_PER_ADDRESS.split("/")[0])
    for i in range(limit):
        # a different (unknown) number each time: the per-number limit never applies
        _query(client, f"150626-20261123-{i:04d}", "0000")
    refused = _query(client, case.number, RIGHT_TAIL)
    assert refused.status_code == 429 and "食品经营许可" not in refused.content.decode()
    # another address still gets its answer
    other = _query(client, case.number, RIGHT_TAIL, address="10.9.9.9")
    assert other.status_code == 200 and "食品经营许可" in other.content.decode()


def test_opening_the_empty_form_is_not_counted(client, hall, settings):
    limit = int(settings.GOVHALL_PROGRESS_RATE_PER_ADDRESS.split("/")[0])
    for _ in range(limit + 5):
        assert client.get(reverse(URL), REMOTE_ADDR="10.1.2.3").status_code == 200


def test_the_limits_are_settable(client, hall, settings):
    settings.GOVHALL_PROGRESS_WRONG_TAILS_PER_NUMBER = "2/h"
    case = submit_at_window(hall)
    _query(client, case.number, "0001", address="10.2.0.1")
    _query(client, case.number, "0002", address="10.2.0.2")
    assert _query(client, case.number, RIGHT_TAIL, address="10.2.0.3").status_code == 429
