"""govhall settings.

Everything a deployment changes comes from the environment (django-environ). The
embedded default is a SQLite file under ``var/``; production sets ``DATABASE_URL`` to
PostgreSQL. Policy values that a centre may change (warning thresholds, the list of
vague wordings …) live in ``govhall.core.policy`` with the defaults of docs/domain-rules.md R-POLICY-1.
"""

import contextlib
import os
import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

# The key every earlier version shipped: refused with DEBUG off.
_KNOWN_KEYS = {"govhall-dev-insecure-key-change-me"}

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless the environment turns it on (`make dev` does); production never sets it.
DEBUG = env.bool("DEBUG", default=False)


def _secret_key(path: Path) -> str:
    """The key in ``path``, made once (50 random characters, mode 0600) when the file
    does not exist yet. Several processes starting at once (gunicorn workers, test
    workers) agree: the file appears complete or not at all (``os.link`` of a
    finished temporary file), and the loser reads the winner's key."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        if path.is_file() and (key := path.read_text(encoding="ascii").strip()):
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(get_random_secret_key() + "\n")
        try:
            os.link(tmp, path)
            print(f"govhall: 未设置 SECRET_KEY，已生成密钥并保存到 {path}", file=sys.stderr)
        except FileExistsError:
            pass
        return path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"未设置 SECRET_KEY，且无法把生成的密钥写入 {path}（{exc.strerror or exc}）。"
            "请设置环境变量 SECRET_KEY，或让 GOVHALL_SECRET_KEY_FILE 指向可写的位置。"
        ) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


# SECRET_KEY from the environment, else the key generated once into var/secret_key
# (docs/deploy.md §1): no built-in key exists, so none can reach production.
SECRET_KEY_FILE = Path(env("GOVHALL_SECRET_KEY_FILE", default=str(VAR_DIR / "secret_key")))
SECRET_KEY = env("SECRET_KEY", default="") or _secret_key(SECRET_KEY_FILE)
if not DEBUG and (SECRET_KEY in _KNOWN_KEYS or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY 是公开的开发密钥，不能在 DEBUG 关闭时使用。"
        "请删除该设置（将自动生成密钥）或设置一个随机的 SECRET_KEY。"
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS (docs/deploy.md): GOVHALL_HTTPS=true turns on the redirect, secure cookies and
# HSTS; each can still be set on its own. Behind a reverse proxy that terminates TLS,
# GOVHALL_PROXY_SSL_HEADER=true trusts its X-Forwarded-Proto (the proxy must set it).
GOVHALL_HTTPS = env.bool("GOVHALL_HTTPS", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=GOVHALL_HTTPS)
# The load balancer probes /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=GOVHALL_HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=GOVHALL_HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if GOVHALL_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=GOVHALL_HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=GOVHALL_HTTPS)
if env.bool("GOVHALL_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# A staff session ends after this long without a request (saved on every request, so
# the age counts from the last one).
SESSION_COOKIE_AGE = env.int("GOVHALL_SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
# …but an unchanged session saved less than a minute ago is not written again
# (govhall/core/sessions.py): a read costs no UPDATE + COMMIT, and the session ends up
# to a minute before the idle time, never after.
SESSION_ENGINE = "govhall.core.sessions"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "govhall.core",
    "govhall.calendar",
    "govhall.org",
    "govhall.catalog",
    "govhall.finder",
    "govhall.notifications",
    "govhall.cases",
    "govhall.feedback.ratings",
    "govhall.feedback.complaints",
    "govhall.filings",
    "govhall.governance",
    "govhall.supervision",
    "govhall.lists",
    "govhall.licences",
    "govhall.hall",
    "govhall.staff",
    "govhall.portal",
    "govhall.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "govhall.core.sessions.SessionMiddleware",  # Django's, without a write per read
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "govhall.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "govhall" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govhall.core.context_processors.govhall",
            ],
        },
    },
]

WSGI_APPLICATION = "govhall.wsgi.application"

# An empty DATABASE_URL means the embedded default, so `DATABASE_URL= make …` forces SQLite.
DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'govhall.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Each worker keeps its database connection (docs/deploy.md): opening one costs
# PostgreSQL a new backend process with cold catalogue caches (~10 ms a request),
# and prepared statements live only as long as their connection. The health check
# replaces a connection the server closed, before the request uses it.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("GOVHALL_DB_CONN_MAX_AGE", default=600))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with small bulk inserts sent as VALUES (core/db/postgresql).
    DATABASES["default"]["ENGINE"] = "govhall.core.db.postgresql"
    # Server-side binding with prepared statements: the same few statements run for
    # every case, and preparing them saves 15–45 % of a transition (docs/cases.md §性能).
    # Behind PgBouncer in transaction mode this needs PgBouncer ≥ 1.21 with
    # max_prepared_statements; set GOVHALL_PG_PREPARE=false to turn it off.
    if env.bool("GOVHALL_PG_PREPARE", default=True):
        pg_options = DATABASES["default"].setdefault("OPTIONS", {})
        pg_options.setdefault("server_side_binding", True)
        pg_options.setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a command writes.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["init_command"] = "PRAGMA journal_mode=WAL;"
    # Writers take the lock at BEGIN, so concurrent requests wait instead of failing
    # with "database is locked" halfway through a transaction.
    options["transaction_mode"] = "IMMEDIATE"
    options["timeout"] = 20
    # PostgreSQL uses covering indexes (INCLUDE); SQLite just ignores the extra columns.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background tasks (docs/tasks.md): Django's task API through the django-tasks backport.
# "db" (default): django-tasks-db keeps tasks in the project's own database, so a task
# enqueued inside a transaction is committed or rolled back with it; `manage.py
# run_worker` runs them. "rq": django-tasks-rq (RQ on Redis at GOVHALL_RQ_URL, else
# REDIS_URL) for several app servers and workers; reliable tasks are pushed to Redis
# when the transaction commits. "immediate": at once, in the caller (tests, the demo).
GOVHALL_TASK_BACKEND = env("GOVHALL_TASK_BACKEND", default="db")
_TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if GOVHALL_TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"GOVHALL_TASK_BACKEND={GOVHALL_TASK_BACKEND!r}: use db (default), rq or immediate "
        "(docs/tasks.md)"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[GOVHALL_TASK_BACKEND]}}
GOVHALL_RQ_URL = env("GOVHALL_RQ_URL", default="") or env(
    "REDIS_URL", default="redis://127.0.0.1:6379/0"
)
RQ_QUEUES = {"default": {"URL": GOVHALL_RQ_URL, "DEFAULT_TIMEOUT": 600}}
if GOVHALL_TASK_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
# Reliable tasks (govhall.core.tasks): the wait after failed attempt n is
# base × 2^(n−1) seconds, capped; a task RUNNING longer than the lease, or a delivery
# overdue by it, is taken for lost and queued again (`manage.py run_worker`).
GOVHALL_TASK_RETRY_BASE_SECONDS = env.int("GOVHALL_TASK_RETRY_BASE_SECONDS", default=60)
GOVHALL_TASK_RETRY_MAX_SECONDS = env.int("GOVHALL_TASK_RETRY_MAX_SECONDS", default=6 * 3600)
GOVHALL_TASK_LEASE_MINUTES = env.int("GOVHALL_TASK_LEASE_MINUTES", default=30)
# When `manage.py run_scheduler` enqueues the daily rules (on working days only).
GOVHALL_DAILY_JOBS_AT = env("GOVHALL_DAILY_JOBS_AT", default="06:30")

# Notifications (docs/notifications.md): email through Django's mail (console unless
# EMAIL_BACKEND says smtp, with EMAIL_HOST …), SMS through govhall.notifications.sms
# (console unless GOVHALL_SMS_BACKEND names a gateway's backend class), the staff inbox.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="govhall@localhost")
GOVHALL_SMS_BACKEND = env("GOVHALL_SMS_BACKEND", default="govhall.notifications.sms.ConsoleBackend")
GOVHALL_SMS_OPTIONS = env.json("GOVHALL_SMS_OPTIONS", default={})
GOVHALL_SMS_FILE_PATH = env.path("GOVHALL_SMS_FILE_PATH", default=str(VAR_DIR / "sms.log"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Whitenoise serves STATIC_ROOT (collectstatic) with DEBUG off: hashed names, cached for
# a year, gzip copies made at collectstatic time. The tests use plain storage
# (govhall/conftest.py) so they need no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
STATICFILES_DIRS = [BASE_DIR / "govhall" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "govhall.api.errors.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "govhall API",
    "DESCRIPTION": "县级政务服务中心管理平台接口。错误统一返回 {code, message}。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Redoc's logo: the app's own file (a relative address, so nothing from outside).
    "EXTENSIONS_INFO": {"x-logo": {"url": "/static/govhall/logo.png", "altText": "govhall"}},
    # Fields named ``kind`` and ``state`` carry different choices in different apps:
    # each set gets its own stable name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "InspectionKindEnum": "govhall.supervision.models.InspectionKind",
        "InspectionStateEnum": "govhall.supervision.models.InspectionState",
        "QuotaKindEnum": "govhall.supervision.models.QuotaKind",
        "ReviewStateEnum": "govhall.supervision.models.ReviewState",
        "WarningKindEnum": "govhall.supervision.models.Kind",
        "OrderStateEnum": "govhall.supervision.models.OrderState",
        "CaseStateEnum": "govhall.cases.models.State",
        "LeaveKindEnum": "govhall.staff.models.LeaveKind",
    },
}

# Public address used in QR codes of notices made without a request (zip exports).
GOVHALL_PUBLIC_URL = env("GOVHALL_PUBLIC_URL", default="http://127.0.0.1:8000")
# Largest accepted upload of a case material, in MB.
GOVHALL_MAX_UPLOAD_MB = env.int("GOVHALL_MAX_UPLOAD_MB", default=20)

# Policy defaults (docs/domain-rules.md R-POLICY-1); read them through govhall.core.policy.
GOVHALL_POLICY = env.json("GOVHALL_POLICY", default={})

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# ------------------------------------------------------------------ security (issue 8 §2)
# Login lockout, login audit, throttles, Content-Security-Policy. Changes to the lists
# above are made here (``INSTALLED_APPS += […]``, ``MIDDLEWARE.insert(…)``) so that this
# block can be read on its own. What each setting does for a user: docs/security.md.
INSTALLED_APPS += ["axes", "csp"]
# CSP and the other security headers go out on every response, error pages included.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
# Last: turns a lockout flagged during authentication into the lockout page.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

# Lockout (django-axes): the first backend refuses a username+address that failed too
# often, before any password is checked; ModelBackend then checks the password.
AUTHENTICATION_BACKENDS = [
    "govhall.core.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("GOVHALL_LOGIN_FAILURE_LIMIT", default=5)
# Minutes; the lock lifts by itself this long after the last failure, or earlier by
# the centre administrator (工作平台 → 组织机构 → 登录锁定).
# (axes reads a float as hours.)
AXES_COOLOFF_TIME = env.int("GOVHALL_LOGIN_COOLOFF_MINUTES", default=30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A refused try while locked does not extend the lock (it is still audited).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "govhall.core.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Behind a reverse proxy, name the header it sets and how many proxies there are, so
# that lockouts and throttles count the visitor's address and not the proxy's.
AXES_IPWARE_META_PRECEDENCE_ORDER = env.tuple("GOVHALL_CLIENT_IP_HEADERS", default=("REMOTE_ADDR",))
AXES_IPWARE_PROXY_COUNT = env.int("GOVHALL_PROXY_COUNT", default=None) or None

# API HTTP Basic auth goes through the same lockout (it passes the request on).
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "govhall.core.security.LockoutBasicAuthentication"
    if name == "rest_framework.authentication.BasicAuthentication"
    else name
    for name in REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
]

# The default cache holds the throttle counters, so every worker process must see the
# same one: by default files under var/cache (shared by the workers of one host, e.g.
# `make run`'s gunicorn workers); several hosts share Redis,
# CACHE_URL=redis://127.0.0.1:6379/1 (docs/security.md). Tests use local memory.
# The finder's model threads (OpenMP) per process: 1 keeps a web worker to one core
# while it embeds a query; 0 lets the model take every core (manage.py reindex_finder
# sets it so). docs/finder.md.
GOVHALL_FINDER_THREADS = env.int("GOVHALL_FINDER_THREADS", default=1)
# Anonymous searches (portal, kiosk, API) per client address (govhall/finder/throttle.py).
GOVHALL_FINDER_RATE_PER_ADDRESS = env("GOVHALL_FINDER_RATE_PER_ADDRESS", default="300/10m")

CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
# 办件进度查询 (cases_public:progress): per client address, every query; per 受理编号,
# the wrong phone tails. django-ratelimit rates: "<count>/<period>", period s/m/h/d
# with an optional multiplier ("10m").
GOVHALL_PROGRESS_RATE_PER_ADDRESS = env("GOVHALL_PROGRESS_RATE_PER_ADDRESS", default="20/10m")
GOVHALL_PROGRESS_WRONG_TAILS_PER_NUMBER = env(
    "GOVHALL_PROGRESS_WRONG_TAILS_PER_NUMBER", default="5/h"
)
# Open311 POST requests.{fmt} (issue 12 §3): new complaints per client address.
GOVHALL_OPEN311_POST_RATE_PER_ADDRESS = env("GOVHALL_OPEN311_POST_RATE_PER_ADDRESS", default="30/m")
# 证照查询 and 审批结果公开 (issue 14, docs/licences.md): the portal pages and the public
# API together, per client address.
GOVHALL_LICENCE_QUERY_RATE_PER_ADDRESS = env(
    "GOVHALL_LICENCE_QUERY_RATE_PER_ADDRESS", default="60/10m"
)
# 大厅 (issue 15, docs/hall.md): 取号, 签到 and 预约 by anonymous callers, pages and API
# together, per client address; the hall's own ticket machines (their addresses,
# comma-separated) are not counted.
GOVHALL_HALL_PUBLIC_RATE_PER_ADDRESS = env("GOVHALL_HALL_PUBLIC_RATE_PER_ADDRESS", default="60/10m")
GOVHALL_HALL_KIOSK_ADDRESSES = env.list("GOVHALL_HALL_KIOSK_ADDRESSES", default=[])
# Seconds a calling screen's event stream stays open (0: answer and end; the browser
# reconnects after 1 s). Only for a threaded or async server (docs/hall.md).
GOVHALL_HALL_STREAM_HOLD_SECONDS = env.int("GOVHALL_HALL_STREAM_HOLD_SECONDS", default=0)

# Content-Security-Policy (django-csp): every asset is served by the app itself, so
# only 'self'; an inline <script>/<style> needs the request's nonce
# (``nonce="{{ request.csp_nonce }}"``); no inline event handlers or style attributes.
from csp.constants import NONCE, NONE, SELF  # noqa: E402 (this block reads on its own)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# ------------------------------------------------------------------ API clients (issue 8 §2)
# Per-client tokens for system-to-system access (read-only or read-write, one department
# or the whole centre).
# First in the list: its ``WWW-Authenticate: Bearer`` challenge makes DRF answer a
# refused token with 401 (the first class's challenge decides 401 versus 403). A request
# without a Bearer/Token header goes on to session and Basic auth as before.
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"].insert(
    0, "govhall.api.authentication.ApiClientAuthentication"
)
