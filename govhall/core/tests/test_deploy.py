"""Safe by default, and the production environment of docs/deploy.md (issue 8 §1, §5).

Settings are read once per process, so what depends on the environment is tested in a
fresh ``python`` with exactly the variables a deployment would set.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.sessions.backends import base as session_base
from django.contrib.sessions.backends import db as session_db
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client, override_settings

from govhall.core import clock
from govhall.demo import loaders
from govhall.org.models import Centre

BASE_DIR = Path(settings.BASE_DIR)
DEV_KEY = "govhall-dev-insecure-key-change-me"
# Everything govhall/settings.py reads that a developer's shell might have set.
OWN_VARIABLES = re.compile(
    r"^(DEBUG|SECRET_KEY|ALLOWED_HOSTS|CSRF_TRUSTED_ORIGINS|DATABASE_URL|CACHE_URL|GOVHALL_.*|SECURE_.*"
    r"|SESSION_COOKIE_.*|CSRF_COOKIE_.*)$"
)
SHOWN = ["DEBUG", "SECRET_KEY", "SESSION_COOKIE_AGE", "SESSION_SAVE_EVERY_REQUEST", "CACHES"]


def _env(tmp_path, **variables) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not OWN_VARIABLES.match(k)}
    env.update(
        DJANGO_SETTINGS_MODULE="govhall.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        GOVHALL_SECRET_KEY_FILE=str(tmp_path / "secret_key"),
    )
    env.update(variables)
    return env


def _run(args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def _settings(tmp_path, **variables) -> SimpleNamespace:
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {SHOWN!r}}}))"
    )
    proc = _run(["-c", code], _env(tmp_path, **variables))
    values = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {}
    return SimpleNamespace(returncode=proc.returncode, stderr=proc.stderr, **values)


# --- §1 safe by default ---------------------------------------------------------------


def test_debug_is_off_and_a_key_is_made_once_when_none_is_set(tmp_path):
    first = _settings(tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.DEBUG is False
    assert first.SECRET_KEY != DEV_KEY and len(first.SECRET_KEY) >= 50
    assert "已生成密钥" in first.stderr  # said once, visibly
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = _settings(tmp_path)
    assert again.SECRET_KEY == first.SECRET_KEY  # sessions survive a restart
    assert "已生成密钥" not in again.stderr


def test_the_old_development_key_is_refused_with_debug_off(tmp_path):
    refused = _settings(tmp_path, SECRET_KEY=DEV_KEY)
    assert refused.returncode != 0
    assert "SECRET_KEY 是公开的开发密钥" in refused.stderr
    assert _settings(tmp_path, SECRET_KEY=DEV_KEY, DEBUG="true").returncode == 0


def test_a_key_that_cannot_be_stored_stops_the_server_with_a_clear_message(tmp_path):
    (tmp_path / "file").write_text("")
    refused = _settings(tmp_path, GOVHALL_SECRET_KEY_FILE=str(tmp_path / "file" / "key"))
    assert refused.returncode != 0
    assert "未设置 SECRET_KEY，且无法把生成的密钥写入" in refused.stderr


def test_the_throttle_cache_is_shared_by_every_worker_of_the_host(tmp_path):
    """The progress-query throttle counts in the default cache: by default files that
    all of gunicorn's workers see (a per-process memory cache would multiply the rate by
    the number of workers); Redis when CACHE_URL says so."""
    default = _settings(tmp_path).CACHES["default"]
    assert default["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert default["LOCATION"].endswith("var/cache")
    redis = _settings(tmp_path, CACHE_URL="redis://127.0.0.1:6379/1").CACHES["default"]
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_idle_time_of_a_session_is_settable(tmp_path):
    default = _settings(tmp_path)
    assert default.SESSION_COOKIE_AGE == 30 * 60
    assert default.SESSION_SAVE_EVERY_REQUEST is True
    assert _settings(tmp_path, GOVHALL_SESSION_IDLE_MINUTES="10").SESSION_COOKIE_AGE == 600


@pytest.fixture
def session_clock(monkeypatch):
    """Django's sessions read the project's (frozen) clock for the test."""
    shim = SimpleNamespace(now=clock.now)
    monkeypatch.setattr(session_base, "timezone", shim)
    monkeypatch.setattr(session_db, "timezone", shim)


def test_an_idle_staff_session_ends_after_30_minutes(client, org, session_clock):
    assert client.login(username="admin", password="govhall-test")
    response = client.get("/staff/")
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 1800
    clock.advance(minutes=25)
    assert client.get("/staff/").status_code == 200  # working: each request restarts it
    clock.advance(minutes=25)
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def _documented_environment() -> dict[str, str]:
    """The variables of the environment file shown in docs/deploy.md."""
    text = (BASE_DIR / "docs" / "deploy.md").read_text(encoding="utf-8")
    block = re.search(r"```ini\n# /etc/govhall/govhall\.env\n(.*?)```", text, re.S)
    assert block, "docs/deploy.md shows /etc/govhall/govhall.env"
    pairs = (line.split("=", 1) for line in block.group(1).splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs if not k.lstrip().startswith("#")}


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path):
    documented = _documented_environment()
    assert documented["DATABASE_URL"].startswith("postgres://")
    assert documented["GOVHALL_HTTPS"] == "true"
    # The document shows a placeholder for the key; the administrator makes one.
    documented["SECRET_KEY"] = secrets.token_urlsafe(50)
    proc = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _env(tmp_path, **documented)
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "System check identified no issues" in proc.stdout


def test_https_settings_are_switched_on_by_the_environment(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    off = _run(["-c", code], _env(tmp_path))
    assert off.stdout.split() == ["False", "False", "False", "0", "None"]
    on = _run(["-c", code], _env(tmp_path, GOVHALL_HTTPS="true", GOVHALL_PROXY_SSL_HEADER="true"))
    assert on.stdout.strip() == "True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"


# --- §5 static files, admin, API docs, favicon, site name -----------------------------


def test_static_files_are_served_hashed_and_compressed_with_debug_off(tmp_path, db):
    production = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path / "static", STORAGES=production, DEBUG=False):
        call_command("collectstatic", "--noinput", "-v", "0")
        client = Client()
        html = client.get("/staff/login/").content.decode()
        css = re.search(r'href="(/static/govhall/govhall\.[0-9a-f]{12}\.css)"', html)
        assert css, "the page links the hashed file name"
        response = client.get(css.group(1), HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "max-age=315360000" in response["Cache-Control"]


def test_demo_administrator_may_use_the_django_admin(client, db):
    loaders.load_organisation(loaders.DemoContext())
    loaders.load_organisation(loaders.DemoContext())  # loading again keeps it
    assert client.login(username="admin", password="govhall2026")
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "审计日志" in response.content.decode() or "站点管理" in response.content.decode()
    assert client.get("/admin/core/auditentry/").status_code == 200


EXTERNAL = re.compile(r"(?:https?:)?//(?!testserver\b)[a-z0-9.-]+\.[a-z]{2,}", re.I)


def test_api_documentation_loads_nothing_from_outside(client, db):
    for url in ("/api/redoc/", "/api/docs/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        for src in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not EXTERNAL.match(src), (url, src)
        assert not re.search(r"https?://(?!testserver)", html), url
    schema = client.get("/api/schema/", {"format": "json"}).json()
    logo = schema["info"]["x-logo"]["url"]
    assert logo.startswith("/static/") and not EXTERNAL.search(logo)
    assert finders.find(logo.removeprefix("/static/"))  # the app's own file


def test_favicon_is_served_and_linked(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon" href="/static/govhall/favicon.ico"' in client.get("/").content.decode()


def test_site_name_is_the_county_centres(client, org):
    home = client.get("/").content.decode()
    assert "<title>首页 · 测试县政务服务网</title>" in home
    assert "县政务服务网</a>" in home and ">测试县政务服务网</h1>" in home
    login = client.get("/staff/login/").content.decode()
    assert "测试县政务服务中心工作平台" in login
    Centre.objects.filter(pk=org.county.pk).update(name="乌审旗政务服务中心")
    assert "乌审旗政务服务网" in client.get("/").content.decode()


def test_without_a_centre_the_site_has_a_generic_name(client, db):
    assert Centre.objects.count() == 0
    home = client.get("/").content.decode()
    assert "<title>首页 · 政务服务网</title>" in home
