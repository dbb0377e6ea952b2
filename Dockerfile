# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Production settings require these at run time; the build only needs placeholders.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build.invalid DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --noinput
# var/secrets: the mount point of docker-compose's secrets volume, so the app user may write it.
RUN useradd --system --home /app alumni && mkdir -p /app/var/secrets && chown -R alumni /app/var
USER alumni
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
