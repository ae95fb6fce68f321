"""Headless Chromium for browser tests (浏览器测试).

Usage in a test module::

    from govhall.testing.browser import browser_page  # noqa: F401

    @pytest.mark.browser
    def test_something(browser_page, county):
        browser_page.goto("/")          # relative to the live server

``browser_page`` is a Playwright ``Page`` whose ``base_url`` is pytest-django's
``live_server``; the test runs with ``transactional_db`` so the server thread sees
the data the test made. Chromium is the Debian package at /usr/bin/chromium (no
downloaded browsers); without it the test is skipped with the reason.

Two things this fixture takes care of:

* Playwright's sync API keeps an asyncio loop running in the test thread, and Django
  then refuses ORM calls (SynchronousOnlyOperation). The fixture sets
  ``DJANGO_ALLOW_ASYNC_UNSAFE`` for the test and restores it afterwards; the
  browser is started and stopped per test so no loop outlives it.
* ``govhall.core.clock`` is frozen process-wide, so the live server thread sees the
  test's "today" (versions in force, deadlines) without anything more here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@pytest.fixture
def browser_page(request, transactional_db, live_server):
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"未找到 {CHROMIUM}（Debian 软件包 chromium），跳过浏览器测试")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements-dev
        pytest.skip("未安装 playwright，跳过浏览器测试")

    previous_env = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = None
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        yield page
    finally:
        # While Playwright's loop runs, the test's ORM calls use a connection of that
        # async context, not the thread's: close it here, in that context, or it
        # outlives the test and blocks dropping the test database.
        connections.close_all()
        if browser is not None:
            browser.close()
        playwright.stop()
        if previous_env is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous_env
