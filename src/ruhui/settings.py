"""Settings, read from the environment (12-factor) with safe development defaults.

RUHUI_ENV selects the profile: `development` (default: DEBUG on, keys kept in var/),
`demo` (what `make demo` runs: as development, but DEBUG always off and static files collected
and served by WhiteNoise, so no debug page or URL list is ever shown; not a production profile),
`test` (pytest), or `production` (refuses to start without real secrets from the environment).
"""

import base64
import json
import os
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ruhui.accounts.validators import profile_validators as _password_profile_validators

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


RUHUI_ENV = env_str("RUHUI_ENV", "development")
if RUHUI_ENV not in ("development", "demo", "test", "production"):
    raise ImproperlyConfigured("RUHUI_ENV must be development, demo, test or production")
PRODUCTION = RUHUI_ENV == "production"
DEMO = RUHUI_ENV == "demo"
TESTING = RUHUI_ENV == "test"

VAR_DIR = Path(env_str("RUHUI_VAR_DIR", str(PROJECT_DIR / "var")))


def _local_secrets() -> dict:
    """Development-only secrets, generated once and kept in var/ (never in the repository)."""
    if TESTING:
        return {
            "secret_key": secrets.token_urlsafe(50),
            "field_key": base64.b64encode(secrets.token_bytes(32)).decode(),
            "index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
    path = VAR_DIR / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    data = {
        "secret_key": secrets.token_urlsafe(50),
        "field_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return data


_local = None if PRODUCTION else _local_secrets()


def _required_secret(name: str, local_key: str) -> str:
    value = env_str(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set in production (RUHUI_ENV=production).")
    return _local[local_key]


SECRET_KEY = _required_secret("SECRET_KEY", "secret_key")
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production: use 50+ random characters.")

# Personal data: AES-256-GCM field keys ({id: base64 key}) and a separate blind-index key.
_field_keys_json = env_str("RUHUI_FIELD_KEYS")
if _field_keys_json is None:
    if PRODUCTION:
        raise ImproperlyConfigured(
            'RUHUI_FIELD_KEYS must be set in production: {"1": "<base64 32 bytes>"}.'
        )
    _field_keys_json = json.dumps({"1": _local["field_key"]})
RUHUI_FIELD_KEYS = {int(k): base64.b64decode(v) for k, v in json.loads(_field_keys_json).items()}
if any(len(key) != 32 for key in RUHUI_FIELD_KEYS.values()):
    raise ImproperlyConfigured("Every RUHUI_FIELD_KEYS entry must be 32 bytes (base64).")
RUHUI_FIELD_KEY_ID = int(env_str("RUHUI_FIELD_KEY_ID", str(max(RUHUI_FIELD_KEYS))))
RUHUI_BLIND_INDEX_KEY = base64.b64decode(_required_secret("RUHUI_BLIND_INDEX_KEY", "index_key"))
if RUHUI_BLIND_INDEX_KEY in RUHUI_FIELD_KEYS.values():
    # One key for both would let whoever holds the blind-index key decrypt every ID number, and
    # would tie the index to the encryption key's rotation (docs/operations.md).
    raise ImproperlyConfigured(
        "RUHUI_BLIND_INDEX_KEY must differ from every RUHUI_FIELD_KEYS entry: generate its own "
        "random 32 bytes."
    )
if len(RUHUI_BLIND_INDEX_KEY) < 32:
    raise ImproperlyConfigured("RUHUI_BLIND_INDEX_KEY must be at least 32 bytes (base64).")

DEBUG = env_bool("DEBUG", RUHUI_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if DEMO and DEBUG:
    # The demo is shown to people: a debug page would show them settings and every URL.
    raise ImproperlyConfigured(
        "DEBUG must be off in the demo profile (RUHUI_ENV=demo): use RUHUI_ENV=development to debug."
    )

if PRODUCTION:
    _default_hosts = []
elif DEMO:
    # The addresses `make demo` serves on (HOST=0.0.0.0 included); another name must be listed
    # in ALLOWED_HOSTS (docs/operations.md).
    _default_hosts = ["127.0.0.1", "localhost", "[::1]", "0.0.0.0"]  # noqa: S104 (a Host header)
else:
    _default_hosts = ["127.0.0.1", "localhost", "[::1]", "testserver"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _default_hosts)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rules.apps.AutodiscoverRulesConfig",
    "ninja",
    "django_tasks",
    "ruhui.core",
    "ruhui.audit",
    "ruhui.tabular",
    "ruhui.jobs",
    "ruhui.accounts",
    "ruhui.orgs",
    "ruhui.members",
    "ruhui.figures",
    "ruhui.importing",
    "ruhui.joining",
    "ruhui.enterprises",
    "ruhui.campaigns",
    "ruhui.projects",
    "ruhui.cases",
    "ruhui.reports",
    "ruhui.assessment",
    "ruhui.positions",
    "ruhui.web",
    "ruhui.api",
    "ruhui.workbench",
    "ruhui.demo",
    # After ruhui.jobs, whose `rqworker` and `db_worker` (every queue by default) replace theirs.
    "django_tasks_db",
    "django_rq",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ruhui.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session and auth middleware: a database outage gets the 503 page (core/middleware).
    "ruhui.core.middleware.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ruhui.core.middleware.RequestContextMiddleware",
    "ruhui.accounts.middleware.SessionLifetimeMiddleware",
    "ruhui.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: whether this request's reads may use a read replica (core/replicas.py).
    "ruhui.core.replicas.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "ruhui.urls"
WSGI_APPLICATION = "ruhui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ruhui.web.context.workspace",
            ],
        },
    },
]

# Database: embedded SQLite by default, PostgreSQL through DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL")
if PRODUCTION and DATABASE_URL is None:
    raise ImproperlyConfigured(
        "DATABASE_URL must be set in production (RUHUI_ENV=production), "
        "e.g. postgres://ruhui@db.example.cn:5432/ruhui."
    )
DATABASE_URL = DATABASE_URL or f"sqlite:///{VAR_DIR / 'ruhui.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if (
    PRODUCTION
    and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    and not env_bool("RUHUI_ALLOW_SQLITE", False)
):
    # The embedded database is for the demo and one-office trials: one writer at a time, no
    # PostgreSQL-only guards (the audit trigger). Say so explicitly to run production on it.
    raise ImproperlyConfigured(
        "DATABASE_URL points at SQLite in production: use PostgreSQL, or set "
        "RUHUI_ALLOW_SQLITE=1 to run a single-office installation on SQLite deliberately."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writer takes the lock at BEGIN, so two writers queue instead of deadlocking.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"  # 64 MB page cache
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: it starts on any plan over jit_above_cost, and on a province's
    # registry the pages' queries paid 80–200 ms of compiling to save a few (docs/benchmarks.md,
    # 全省规模); the same on the replicas.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas (docs/operations.md「只读副本」, core/replicas.py): PostgreSQL streaming replicas,
# comma-separated; aliases replica_1, replica_2, …. Without them every read goes to the primary.
RUHUI_REPLICA_ALIASES = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    _replica = dj_database_url.parse(_url, conn_max_age=60)
    if "postgresql" not in _replica["ENGINE"] or "postgresql" not in DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS must list PostgreSQL streaming replicas of a PostgreSQL "
            f"DATABASE_URL (entry {_number} is not), e.g. postgres://ruhui@db2.example.cn/ruhui."
        )
    _replica.update(
        CONN_HEALTH_CHECKS=True,
        # A replica that is down must cost a page two seconds at most, then it is skipped.
        OPTIONS={
            "connect_timeout": int(env_str("RUHUI_REPLICA_CONNECT_TIMEOUT_S", "2")),
            "options": "-c jit=off",
        },
        TEST={"MIRROR": "default"},
    )
    DATABASES[f"replica_{_number}"] = _replica
    RUHUI_REPLICA_ALIASES.append(f"replica_{_number}")
if RUHUI_REPLICA_ALIASES:
    DATABASE_ROUTERS = ["ruhui.core.replicas.ReplicaRouter"]
# A replica further behind than this (seconds) is skipped; its health is checked this often.
RUHUI_REPLICA_MAX_LAG_S = float(env_str("RUHUI_REPLICA_MAX_LAG_S", "30"))
RUHUI_REPLICA_CHECK_S = float(env_str("RUHUI_REPLICA_CHECK_S", "5"))
# A client that has just written reads the primary for this long (read your own writes).
RUHUI_READ_YOUR_WRITES_S = float(env_str("RUHUI_READ_YOUR_WRITES_S", "5"))
# The read-only pages (URL names) whose GETs may read a replica: dashboards, lists, exports,
# reports.
RUHUI_REPLICA_VIEWS = frozenset(
    env_list(
        "RUHUI_REPLICA_VIEWS",
        [
            "workbench:home",
            "campaigns:list", "campaigns:dashboard", "campaigns:unit", "campaigns:new_members",
            "campaigns:new_unions", "campaigns:export",
            "orgs:list", "orgs:tree", "orgs:children",
            "members:list", "members:transfers",
            "enterprises:list", "enterprises:worklist", "enterprises:alerts",
            "enterprises:coverage", "enterprises:parks",
            "projects:index", "projects:consolidated", "projects:consolidated_xlsx",
            "reports:index", "reports:matrix", "reports:bulletins",
            "assessment:index", "assessment:ranking", "assessment:export_xlsx",
            "positions:list", "positions:activities", "positions:consultations",
            "positions:social_workers", "positions:coverage", "positions:shells",
            "positions:priority",
            "accounts:audit",
        ],
    )
)  # fmt: skip

REDIS_URL = env_str("REDIS_URL")
_PROGRESS_CACHE = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "progress"}
    if TESTING
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "progress"),
    }
)
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHES["progress"] = _PROGRESS_CACHE

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: server-side, 30 minutes idle, 12 hours absolute (SESS-1).
# Database sessions that also record their user (listing and ending a user's sessions).
SESSION_ENGINE = "ruhui.accounts.session_store"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
RUHUI_SESSION_ABSOLUTE_SECONDS = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form post gets a Chinese page on the site's layout, not Django's English one.
CSRF_FAILURE_VIEW = "ruhui.web.errors.csrf_failure"

# 三员 (separation of duties, 等保 2.0): with this on, the system administrator (admin) manages
# users and the org tree but cannot read the audit log; only the 审计管理员 (auditor) reads it and
# changes nothing; the 安全管理员 (security) manages lockouts, second factors and tokens.
# On in production, off in the demo and the tests unless a test turns it on (accounts.rules).
RUHUI_SEPARATION_OF_DUTIES = env_bool("RUHUI_SEPARATION_OF_DUTIES", PRODUCTION)
# Who must use a second factor (TOTP): "roles@levels", e.g. "admin,security,auditor@province,city"
# — those roles in organizations of those kinds. Empty: nobody is forced (anyone may enrol).
RUHUI_REQUIRE_2FA = env_str(
    "RUHUI_REQUIRE_2FA", "admin,security,auditor@province,city" if PRODUCTION else ""
)
# The name authenticator apps show beside the account (otpauth:// issuer).
OTP_TOTP_ISSUER = "入会"
# Password profile: asvs (≥ 10 characters, common-password check, ≥ 64 accepted) or mlps
# (等保: also 3 of 4 character classes and rotation every RUHUI_PASSWORD_ROTATION_DAYS days).
RUHUI_PASSWORD_PROFILE = env_str("RUHUI_PASSWORD_PROFILE", "asvs")
if RUHUI_PASSWORD_PROFILE not in ("asvs", "mlps"):
    raise ImproperlyConfigured("RUHUI_PASSWORD_PROFILE must be asvs or mlps")
RUHUI_PASSWORD_ROTATION_DAYS = int(env_str("RUHUI_PASSWORD_ROTATION_DAYS", "90"))
# Built from the profile (ruhui.accounts.validators.profile_validators).
AUTH_PASSWORD_VALIDATORS = _password_profile_validators(RUHUI_PASSWORD_PROFILE)

# Login lockout (AUTH-3): 5 consecutive failures lock the account for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
# Lock the account, not the address: a whole county office or factory dormitory shares one NAT
# address, and an IP lockout would let one typist lock everyone out (docs/decisions/0002).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W021"]
AXES_RESET_ON_SUCCESS = True
# A lock ends 15 minutes after the fifth failure, whatever happens meanwhile: attempts during a
# lock (even with the right password) are refused and not counted, so an attacker sending one
# guess every 15 minutes cannot keep an account locked for ever (docs/decisions/0002).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(env_str("RUHUI_PROXY_COUNT", "0"))

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preload lists bind the whole domain to HTTPS for years: the owner of the domain decides,
    # not this application (docs/operations.md).
    # Preload lists bind the whole domain to HTTPS for years: the domain owner decides that,
    # not this application; hence security.W021 is silenced.
    SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
# Production and the demo serve collected files (collectstatic → STATIC_ROOT, which `make demo`
# runs) through WhiteNoise, with DEBUG off; development and tests serve straight from the apps'
# static folders.
COLLECTED_STATIC = PRODUCTION or DEMO
STATIC_ROOT = env_str("STATIC_ROOT", str(VAR_DIR / "static") if COLLECTED_STATIC else None)
WHITENOISE_USE_FINDERS = not COLLECTED_STATIC
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if COLLECTED_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Background jobs: Django's task API (django-tasks backport). `db` keeps the queue in the
# database (no server; `make demo` starts one worker); `rq` puts it on Redis for more machines;
# `immediate` runs tasks inline (the test default).
RUHUI_TASK_BACKEND = env_str("RUHUI_TASK_BACKEND", "immediate" if TESTING else "db")
_TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "ruhui.jobs.rq.RuhuiRQBackend",  # django_tasks_rq's, with each queue's limits
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if RUHUI_TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured("RUHUI_TASK_BACKEND must be db, rq or immediate")
# Queues per kind of work (jobs.kinds.JobKind.queue, the tasks' queue_name): imports, the
# figures recomputed after a change, generated documents (exports, Word/PDF), the rest. On RQ
# each has its own time limit (seconds; the job is stopped and counts as failed) and number of
# retries (after the waits in `retry_after`, seconds); a task that failed every try lands in
# the dead-letter list (/jobs/failed/). `ruhui rqworker` works on all of them, in this order.
RUHUI_TASK_QUEUES = {
    "imports": {"timeout": 7200, "retries": 2, "retry_after": [30, 300]},
    "figures": {"timeout": 600, "retries": 3, "retry_after": [10, 60, 300]},
    "documents": {"timeout": 1800, "retries": 2, "retry_after": [30, 300]},
    "default": {"timeout": 600, "retries": 3, "retry_after": [10, 60, 300]},
}
TASKS = {
    "default": {"BACKEND": _TASK_BACKENDS[RUHUI_TASK_BACKEND], "QUEUES": list(RUHUI_TASK_QUEUES)}
}
RQ_QUEUES = {
    name: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": queue["timeout"]}
    for name, queue in RUHUI_TASK_QUEUES.items()
}
RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job", "WORKER_CLASS": "ruhui.jobs.rq.RuhuiWorker"}
# A remembered figure (core.changes) whose last count took at least this long (seconds) is not
# recounted by the reader after the records change: the page shows its previous value with the
# time it was counted at while the `figures` queue counts it anew (the workbench at a province).
RUHUI_FIGURE_SLOW_S = float(env_str("RUHUI_FIGURE_SLOW_S", "0.2"))

# Uploaded import files: size limit and where they are kept until the job is done.
# Processes that share the row work of large imports: the importer plus N-1 helper processes
# (1 = all in the importer). On 2 cores N=2 was slower than 1 (docs/benchmarks.md); on bigger
# machines try the number of cores minus one.
RUHUI_IMPORT_WORKERS = int(env_str("RUHUI_IMPORT_WORKERS", "1"))
RUHUI_IMPORT_MAX_BYTES = int(env_str("RUHUI_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
# Decompression limits, measured while inflating (tabular/files.py), not read from the sizes a
# ZIP declares: bytes per entry and in total, the compression ratio (entries above 1 MiB, the
# whole above 10 MiB), entries per file. Then rows and cells read (tabular/readers.py): twice
# the 1,000,000-row benchmark roster, 25 columns a row. A job keeps this many error lines in its
# stored summary; the result workbook has every row.
RUHUI_IMPORT_MAX_UNCOMPRESSED = int(env_str("RUHUI_IMPORT_MAX_UNCOMPRESSED", str(2 * 1024**3)))
RUHUI_IMPORT_MAX_ZIP_ENTRY_SIZE = int(
    env_str("RUHUI_IMPORT_MAX_ZIP_ENTRY_SIZE", str(1536 * 1024**2))
)
RUHUI_IMPORT_MAX_ZIP_RATIO = int(env_str("RUHUI_IMPORT_MAX_ZIP_RATIO", "200"))
RUHUI_IMPORT_MAX_ZIP_ENTRIES = int(env_str("RUHUI_IMPORT_MAX_ZIP_ENTRIES", "10000"))
RUHUI_IMPORT_MAX_ROWS = int(env_str("RUHUI_IMPORT_MAX_ROWS", "2000000"))
RUHUI_IMPORT_MAX_CELLS = int(env_str("RUHUI_IMPORT_MAX_CELLS", "50000000"))
RUHUI_IMPORT_MAX_ERRORS_STORED = int(env_str("RUHUI_IMPORT_MAX_ERRORS_STORED", "1000"))
RUHUI_JOB_FILES = Path(env_str("RUHUI_JOB_FILES", str(VAR_DIR / "jobs")))
# Attachments of every feature (tabular.attachments): kept here under random names, outside any
# URL the web server serves, and downloaded only through the owning record's scoped view.
RUHUI_ATTACHMENTS = Path(env_str("RUHUI_ATTACHMENTS", str(VAR_DIR / "attachments")))
RUHUI_ATTACHMENT_MAX_BYTES = int(env_str("RUHUI_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# Job files hold full ID numbers: `ruhui purge_job_files` (daily) deletes those of jobs finished
# longer ago than this, and unreferenced files as old (PI-9).
RUHUI_JOB_FILE_RETENTION_DAYS = int(env_str("RUHUI_JOB_FILE_RETENTION_DAYS", "30"))
# The audit log is kept at least 180 days (LOG-3; 网络安全法第二十一条: 不少于六个月): `ruhui
# partitions --purge` (daily) drops its whole yearly partitions older than this (audit.retention).
RUHUI_AUDIT_RETENTION_DAYS = int(env_str("RUHUI_AUDIT_RETENTION_DAYS", "180"))
if RUHUI_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("RUHUI_AUDIT_RETENTION_DAYS must be at least 180 (six months)")
# A full-ID export of more rows than this waits for another admin's approval (PI-4).
RUHUI_FULL_EXPORT_APPROVAL_ROWS = int(env_str("RUHUI_FULL_EXPORT_APPROVAL_ROWS", "500"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

NINJA_PAGINATION_PER_PAGE = 50
RUHUI_PAGE_SIZE = 50
# A form's choice of organization is a drop-down list up to this many choices, and above it a
# search box with suggestions (a province holds ~50,000 unions: a list of them all would be
# megabytes of page and seconds of rendering on every form).
RUHUI_ORG_SELECT_MAX = int(env_str("RUHUI_ORG_SELECT_MAX", "300"))
# The member list counts at most this many rows: above it the page says 「超过 … 条」 (counting a
# province's ten million members on every page would take seconds); see web/pagination.py.
RUHUI_LIST_COUNT_CAP = int(env_str("RUHUI_LIST_COUNT_CAP", "100000"))

# Enterprise survey (动态监控): a sharp headcount change between two consecutive records is one of
# at least this percentage *and* at least this many people; an enterprise not surveyed for this
# many days is due again.
RUHUI_HEADCOUNT_CHANGE_PCT = int(env_str("RUHUI_HEADCOUNT_CHANGE_PCT", "30"))
RUHUI_HEADCOUNT_CHANGE_MIN = int(env_str("RUHUI_HEADCOUNT_CHANGE_MIN", "10"))
RUHUI_SURVEY_INTERVAL_DAYS = int(env_str("RUHUI_SURVEY_INTERVAL_DAYS", "180"))

# 项目补助 (projects): the province approves an application above this amount (yuan) only with a
# second approver, a different person from the first.
try:
    RUHUI_SUBSIDY_DUAL_APPROVAL = Decimal(env_str("RUHUI_SUBSIDY_DUAL_APPROVAL", "50000.00"))
except InvalidOperation:
    raise ImproperlyConfigured(
        "RUHUI_SUBSIDY_DUAL_APPROVAL must be an amount in yuan, such as 50000.00"
    ) from None
if not RUHUI_SUBSIDY_DUAL_APPROVAL.is_finite() or RUHUI_SUBSIDY_DUAL_APPROVAL < 0:
    raise ImproperlyConfigured("RUHUI_SUBSIDY_DUAL_APPROVAL must be an amount ≥ 0 in yuan")

# 通报 (reports.bulletins): a unit is praised when its % of target is at least the time elapsed
# plus `pct_over_time` points and it has no more overdue rectifications / missing monthly reports
# than allowed; urged when its % of target trails the time elapsed by `pct_under_time` points or
# more, or it has at least `overdue` overdue rectifications or `missing_reports` missing reports.
RUHUI_BULLETIN_PRAISE = {"pct_over_time": 0, "overdue": 0, "missing_reports": 0}
RUHUI_BULLETIN_URGE = {"pct_under_time": 20, "overdue": 1, "missing_reports": 1}

# Online joining (网上入会): retention of rejected and withdrawn applications (PI-9), and the
# rate limits of the public pages (PUB-2) as {name: [requests, seconds]}. The per-IP figures are
# generous because a factory dormitory or a delivery station shares one address; past them a
# simple human check lets a real person through. Override with RUHUI_RATELIMITS (JSON).
RUHUI_APPLICATION_RETENTION_DAYS = int(env_str("RUHUI_APPLICATION_RETENTION_DAYS", "180"))
RUHUI_RATELIMITS = {
    "submit_ip": [30, 600],
    "submit_id": [3, 86400],
    "lookup_ip": [30, 600],
    "identity_ip": [20, 600],
    "identity_id": [10, 86400],
    # Correct answers to the human check one address may use; past them it waits the window out.
    "challenge_ip": [30, 3600],
    # The public near-me page (/join/stations/): a plain list, generous but bounded.
    "stations_ip": [120, 600],
    **json.loads(env_str("RUHUI_RATELIMITS", "{}") or "{}"),
}
# Django admin: superusers only (AC-7), at a configurable path.
RUHUI_ADMIN_PATH = env_str("RUHUI_ADMIN_PATH", "sysadmin/")
# 空壳 risk list (positions.shells): base unions founded more than this many days ago are checked.
RUHUI_EMPTY_SHELL_DAYS = int(env_str("RUHUI_EMPTY_SHELL_DAYS", "180"))
