# govsocial: one image for web (gunicorn), worker and beat. See docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GOVSOCIAL_ENV=production \
    GOVSOCIAL_VAR_DIR=/var/lib/govsocial

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /app govsocial \
    && mkdir -p /var/lib/govsocial && chown govsocial /var/lib/govsocial

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY --chown=govsocial . .

# collectstatic needs settings that import; these values exist only for this build step.
RUN DJANGO_SECRET_KEY=build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(50))') \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    GOVSOCIAL_CREDENTIALS_KEYS=$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
    python manage.py collectstatic --noinput -v 0

USER govsocial
EXPOSE 8000
CMD ["gunicorn", "govsocial.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
