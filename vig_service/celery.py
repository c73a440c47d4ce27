"""The Celery app. Without REDIS_URL tasks run in-process (eager), so `make run` needs no broker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vig_service.settings")

app = Celery("vig_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
