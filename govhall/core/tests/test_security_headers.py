"""Content-Security-Policy and the usual security headers (issue 8 §2) on the portal,
the staff site and the API docs; and no template carries code the policy would block
(inline event handlers, ``javascript:`` links, style attributes, un-nonced inline
``<script>``/``<style>``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "govhall" / "templates"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


def _assert_usual_headers(response, *, inline_styles=False):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    for directive in ("script-src", "style-src"):
        sources = policy[directive]
        if directive == "style-src" and inline_styles:
            assert sources == ["'self'", "'unsafe-inline'"]
            continue
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
        assert all(s == "'self'" or s.startswith("'nonce-") for s in sources), sources
    # nothing outside: every source is the site itself, a nonce, or data:/blob:
    for sources in policy.values():
        for source in sources:
            assert source.startswith("'") or source in ("data:", "blob:"), source
    return policy


def test_a_portal_page_sends_the_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    _assert_usual_headers(response)


def test_a_staff_page_sends_the_security_headers(client, org):
    client.force_login(org.staff.clerk.user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    _assert_usual_headers(response)


def test_the_login_page_and_the_api_send_them_too(client):
    _assert_usual_headers(client.get(reverse("core:login")))
    _assert_usual_headers(client.get("/api/v1/items/"))


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_nonce_their_inline_code(client, path):
    response = client.get(path)
    assert response.status_code == 200
    # Redoc's styled-components adds <style> elements before it knows the nonce
    policy = _assert_usual_headers(response, inline_styles=path == "/api/redoc/")
    nonces = {s[len("'nonce-") : -1] for s in policy["script-src"] if s.startswith("'nonce-")}
    assert len(nonces) == 1
    (nonce,) = nonces
    page = response.content.decode()
    inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline, "the docs pages have inline code to check"
    for tag, attrs in inline:
        assert f'nonce="{nonce}"' in attrs, (tag, attrs)
    assert "fonts.googleapis.com" not in page


BLOCKED = [
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: link"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<script(?![^>]*\b(src|nonce)=)[^>]*>", re.I), "inline <script> without nonce"),
    (re.compile(r"<style(?![^>]*\bnonce=)[^>]*>", re.I), "inline <style> without nonce"),
]
# Saved into the archive zip and opened from disk: no server, no CSP.
OFFLINE = {"cases/archive_index.html"}


def test_no_template_has_code_the_policy_would_block():
    faults = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in OFFLINE:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, what in BLOCKED:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                faults.append(f"{name}:{line}: {what}")
    assert not faults, "\n".join(faults)
