"""The Celery app. Without REDIS_URL tasks run in-process (eager), so `make run` needs no broker."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vig_service.settings")

app = Celery("vig_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs):
    """Workers log as the web does (JSON lines, LOGGING in settings) instead of Celery's own format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


import web.task_context  # noqa: E402,F401  (request ids into tasks, task outcomes counted)
