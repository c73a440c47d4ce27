"""The outermost middleware: a request id, the log context, the request's latency metric and its database scope.

Every response carries `X-Request-ID` (the caller's if well-formed, else a new one); every log line written while
the request runs, and in any task it enqueues, carries it too (`core.logs`). One log line per request names the
route, never the URL's query string (searches put names and NHS numbers there), so gunicorn's own access log, which
would, is not needed.
"""

import logging
import time

from django.core.signals import request_finished
from django.dispatch import receiver

from core import logs, replica
from web import metrics

logger = logging.getLogger("vig.request")
UNMATCHED = "unmatched"


class RequestContextMiddleware:
    """Put first in MIDDLEWARE: it sets the context before anything logs and clears it after the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started, cpu_started = time.perf_counter(), time.thread_time()
        request_id = logs.well_formed_request_id(request.headers.get("X-Request-ID")) or logs.new_request_id()
        request.request_id = request_id
        # Set, not reset on the way out: Django logs a 4xx/5xx (django.request) after the middleware returns; the
        # context is cleared when the response is finished (`clear_context`, on request_finished).
        logs.request_id_var.set(request_id)
        logs.user_id_var.set(None)
        logs.route_var.set(None)
        with replica.request_scope():
            response = self.get_response(request)
        route = logs.route_var.get() or _route(request)
        if logs.user_id_var.get() is None:  # no view ran (an unmatched URL): who asked, if anyone signed in
            _note_user(request)
        elapsed = time.perf_counter() - started
        metrics.observe_request(
            route=route,
            method=request.method,
            status=response.status_code,
            seconds=elapsed,
            cpu_seconds=time.thread_time() - cpu_started,
        )
        response["X-Request-ID"] = request_id
        logger.info("%s %s %s %.0fms", request.method, route, response.status_code, elapsed * 1000)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Runs after authentication: the route's name and who is asking, for every later log line."""
        logs.route_var.set(_route(request))
        _note_user(request)


def _note_user(request) -> None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        logs.user_id_var.set(user.pk)


@receiver(request_finished)
def clear_context(**kwargs):
    """The response has gone: later log lines in this thread belong to no request."""
    logs.request_id_var.set(None)
    logs.user_id_var.set(None)
    logs.route_var.set(None)


def _route(request) -> str:
    """The route's name (`referrals:detail`), never the path: bounded for metrics, free of anything typed."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name or match._func_path
