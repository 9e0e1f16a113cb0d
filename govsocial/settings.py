"""govsocial settings, read from the environment (see README, "Configuration").

With nothing set, the embedded default runs: SQLite in ``var/``, Celery on a
filesystem broker in ``var/celery``, the simulated platform. Set
``GOVSOCIAL_ENV=production`` for a deployment: secrets and hosts then become
required and the security settings pass ``check --deploy``.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from govsocial.env import env_bool, env_choice, env_int, env_int_list, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GOVSOCIAL_VAR_DIR", str(BASE_DIR / "var")))

GOVSOCIAL_ENV = env_choice("GOVSOCIAL_ENV", ("development", "production"), "development")
PRODUCTION = GOVSOCIAL_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)
    if SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a random string of at least 50 characters.")
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "django-insecure-govsocial-development-only-key")

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS to the host names govsocial is served on.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "core",
    "users",
    "departments",
    "metrics",
    "leaderboards",
    "compliance",
    "plans",
    "notices",
    "content",
    "campaigns",
    "staff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a login unless it is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if PRODUCTION:
    # gunicorn serves the collected static files itself; in development runserver does.
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django.contrib.staticfiles"), "whitenoise.runserver_nostatic")
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "govsocial.urls"
WSGI_APPLICATION = "govsocial.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'govsocial.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: the web server and the worker share one file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users ----------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("hi", _("Hindi"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Kolkata"  # shown to users; stored in UTC
USE_TZ = True

# --- Static files ---------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("GOVSOCIAL_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("GOVSOCIAL_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Redis, cache and Celery ----------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL == "filesystem://":
    # Without Redis the worker and the web server exchange messages through files.
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60, minimum=1)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.tasks.record_heartbeat", "schedule": 60.0},
    "poll-accounts": {"task": "metrics.tasks.poll_scheduled", "schedule": crontab(minute=5)},
    "resume-stale-polls": {"task": "metrics.tasks.resume_stale_runs", "schedule": crontab(minute="*/10")},
    # Just after midnight IST: judge the rules whose week, month or quarter has just ended (and any missed).
    "evaluate-rules": {"task": "compliance.tasks.evaluate_due_rules", "schedule": crontab(minute=30, hour=0)},
    # Claims whose worker died become "unknown"; due posts whose message was lost are queued again.
    "sweep-publishing": {"task": "content.tasks.sweep_targets", "schedule": crontab(minute="*/5")},
    # Every hour: email the units whose notice's deadline is NOTICE_REMINDER_DAYS away (each reminder once) …
    "notice-reminders": {"task": "notices.tasks.reminders_send", "schedule": crontab(minute=15)},
    # … and mark the notices whose deadline has passed without a reply overdue.
    "notice-overdue": {"task": "notices.tasks.overdue_mark", "schedule": crontab(minute=20)},
    # Before the hourly poll: start scheduled campaigns whose first day has come, close those whose last has passed.
    "campaigns-advance": {"task": "campaigns.tasks.campaigns_advance", "schedule": crontab(minute=1)},
    # Spend the admin-set X budget on checking whether staff follow their district's handle (each at most weekly).
    "staff-follow-checks": {"task": "staff.tasks.follow_checks_run", "schedule": crontab(minute=40)},
}

# --- Email ----------------------------------------------------------------
# With EMAIL_HOST set mail goes out over SMTP; without it (the embedded default) every message is
# written as a file into var/mail/, where the reminders can be read.
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)  # seconds: a hung server must not hold a worker
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "govsocial <no-reply@govsocial.invalid>")

# --- govsocial ------------------------------------------------------------
# The address users open govsocial at, for the links in emails. In production: https:// and the first
# of DJANGO_ALLOWED_HOSTS unless set.
GOVSOCIAL_BASE_URL = env_str(
    "GOVSOCIAL_BASE_URL", f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000"
).rstrip("/")
if not GOVSOCIAL_BASE_URL.startswith(("http://", "https://")) or "*" in GOVSOCIAL_BASE_URL:
    raise ImproperlyConfigured(f"Set GOVSOCIAL_BASE_URL to an http(s) address, not {GOVSOCIAL_BASE_URL!r}.")
# Show-cause notices: the addressee is emailed this many days before the reply deadline (each once).
NOTICE_REMINDER_DAYS = sorted(set(env_int_list("NOTICE_REMINDER_DAYS", [3, 1], minimum=1)), reverse=True)

# Fernet keys for the credentials of official accounts, newest first,
# comma-separated. Never SECRET_KEY: rotating one must not touch the other.
GOVSOCIAL_CREDENTIALS_KEYS = env_list("GOVSOCIAL_CREDENTIALS_KEYS")
GOVSOCIAL_CREDENTIALS_KEY_FILE = VAR_DIR / "credentials.key"
if PRODUCTION and not GOVSOCIAL_CREDENTIALS_KEYS:
    raise ImproperlyConfigured(
        "Set GOVSOCIAL_CREDENTIALS_KEYS (generate one with `manage.py generate_credentials_key`)."
    )
# Platforms: "simulated" (built in, no network: the embedded default) or "live".
GOVSOCIAL_PLATFORM_MODE = env_choice("GOVSOCIAL_PLATFORM_MODE", ("simulated", "live"), "simulated")
GOVSOCIAL_HTTP_TIMEOUT = env_int("GOVSOCIAL_HTTP_TIMEOUT", 20, minimum=1)
X_BEARER_TOKEN = env_str("X_BEARER_TOKEN", "")
# The X app's OAuth 1.0a consumer key pair: publishing signs each post with it and the account's own tokens.
X_CONSUMER_KEY = env_str("X_CONSUMER_KEY", "")
X_CONSUMER_SECRET = env_str("X_CONSUMER_SECRET", "")
FACEBOOK_APP_ID = env_str("FACEBOOK_APP_ID", "")
FACEBOOK_APP_SECRET = env_str("FACEBOOK_APP_SECRET", "")
# facebook-sdk's own list stops at v3.1; govsocial passes this version itself.
FACEBOOK_GRAPH_API_VERSION = env_str("FACEBOOK_GRAPH_API_VERSION", "26.0")
YOUTUBE_API_KEY = env_str("YOUTUBE_API_KEY", "")
# The simulated platform: a few accounts missing, suspended or with an expired token, like real life.
GOVSOCIAL_SIMULATED_FAULTS = env_bool("GOVSOCIAL_SIMULATED_FAULTS", True)
# Seconds the simulated platform holds its answer after receiving a post (the publishing fault test).
GOVSOCIAL_SIMULATED_PUBLISH_DELAY = env_int("GOVSOCIAL_SIMULATED_PUBLISH_DELAY", 0, minimum=0)
GOVSOCIAL_SIMULATED_LATENCY_MS = env_int("GOVSOCIAL_SIMULATED_LATENCY_MS", 0, minimum=0)
# Polling: every account once a day at this hour (IST); accounts in a campaign every hour.
GOVSOCIAL_POLL_DAILY_HOUR = env_int("GOVSOCIAL_POLL_DAILY_HOUR", 6, minimum=0)
# Poll every account every hour (the demo does, to show the worker at work; real APIs would bill for it).
GOVSOCIAL_POLL_ALL_HOURLY = env_bool("GOVSOCIAL_POLL_ALL_HOURLY", False)
# A batch claimed longer ago than this is taken to be orphaned by a dead worker and may be claimed again.
# Accounts per poll task: fetched in API-sized requests (100 on X, 50 elsewhere), written in one transaction.
GOVSOCIAL_POLL_BATCH_ACCOUNTS = env_int("GOVSOCIAL_POLL_BATCH_ACCOUNTS", 1000, minimum=1)
GOVSOCIAL_POLL_CLAIM_TIMEOUT = env_int("GOVSOCIAL_POLL_CLAIM_TIMEOUT", 15 * 60, minimum=1)
if PRODUCTION and GOVSOCIAL_PLATFORM_MODE == "live":
    for _name in ("X_BEARER_TOKEN", "FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET", "YOUTUBE_API_KEY"):
        if not globals()[_name]:
            raise ImproperlyConfigured(f"GOVSOCIAL_PLATFORM_MODE=live needs {_name}.")
GOVSOCIAL_IMPORT_MAX_BYTES = env_int("GOVSOCIAL_IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# Attachments to replies to show-cause notices (PDF, JPEG, PNG): at most this many bytes, and images
# at most this many pixels (refused before they are decoded; 40 megapixels is more than any phone camera).
NOTICE_UPLOAD_MAX_BYTES = env_int("NOTICE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
NOTICE_UPLOAD_MAX_PIXELS = env_int("NOTICE_UPLOAD_MAX_PIXELS", 40_000_000, minimum=1_000_000)

# --- Security (production) ------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)

# --- Logging --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("GOVSOCIAL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Both log request headers or URLs at DEBUG, and those carry tokens: never below INFO.
        "tweepy": {"level": "INFO"},
        "urllib3": {"level": "INFO"},
        "googleapiclient": {"level": "INFO"},
    },
}
