# Production image: gunicorn serving the app; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core ffmpeg \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=1 python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 vig && chown -R vig /app
USER vig
EXPOSE 8000
# What `make load-test` measured (README "Load test"): threads, so a request waiting on PostgreSQL or a password
# hash leaves the core to another; one worker process per core (gunicorn reads WEB_CONCURRENCY: set it to the
# machine's cores); keep-alive above a browser's pauses between requests.
ENV WEB_CONCURRENCY=2
CMD ["gunicorn", "vig_service.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", \
     "--threads", "16", "--keep-alive", "30", "--access-logfile", "-"]
