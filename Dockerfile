# The production image: the same commands `make gunicorn` and `make worker` run.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=commissioning.settings.production VAR_DIR=/app/var

# WeasyPrint needs Pango; fonts for the PDFs; curl for health checks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    fonts-liberation fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY commissioning ./commissioning
COPY plans ./plans
COPY priorities ./priorities
COPY finance ./finance
COPY governance ./governance
RUN pip install -c requirements.lock .
COPY . .
# Static files are collected at build time; a throwaway key satisfies the settings check.
RUN SECRET_KEY=build-only-$(python -c "import secrets; print(secrets.token_urlsafe(50))") \
    ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
 && useradd --system --home /app app && mkdir -p /app/var/media && chown -R app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "commissioning.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
