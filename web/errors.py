"""Error answers: JSON under /api/, NHS.UK pages everywhere else.

DRF answers its own views' errors in JSON, but some errors happen before or outside a DRF view: a path under /api/
that matches no route (`/api/v1/nope/`, `/api/v1/referrals/null,null/`), a body over DATA_UPLOAD_MAX_MEMORY_SIZE
read by middleware, or an unexpected exception. Django sends those to these handlers (wired in `vig_service.urls`),
which give an API client `{"detail": "..."}` instead of an HTML page it cannot parse.

With DEBUG on, Django answers a 404 or a 500 with its own technical HTML page and never calls these handlers;
`ApiErrorsAsJson` (the innermost middleware) turns any such answer under /api/ into the same JSON, so a client sees
one shape whichever way the server runs. Django has logged the error by then.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from accounts.audit import log_access
from accounts.models import AccessAction

API_PREFIX = "/api/"
TOO_BIG = "The request body is too large."

security_log = logging.getLogger("django.security.RequestDataTooBig")


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """400: a malformed request, or 413 for an API body over the upload limit."""
    if is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return json_error(TOO_BIG, 413)
        return json_error("Bad request.", 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """403: every refusal is logged, whichever shape the answer takes."""
    if is_api(request):
        log_access(action=AccessAction.PERMISSION_DENIED, request=request)
        return json_error("You do not have permission to perform this action.", 403)
    from web.views import permission_denied as page

    return page(request, exception)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404: the API does not say whether a record exists, just that nothing is here for you."""
    if is_api(request):
        return json_error("Not found.", 404)
    return defaults.page_not_found(request, exception)


DETAILS = {
    400: "Bad request.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: "Method not allowed.",
    413: TOO_BIG,
    500: "Something went wrong on the server. Try again later.",
}


class ApiErrorsAsJson:
    """Every error answer under /api/ is JSON `{"detail": ...}`, with DEBUG on or off (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith(("application/json", "application/fhir+json")):
            return response  # FHIR's OperationOutcome (interop) is JSON too
        status = response.status_code
        answer = json_error(DETAILS.get(status, DETAILS[500] if status >= 500 else DETAILS[400]), status)
        if response.has_header("Allow"):
            answer["Allow"] = response["Allow"]
        return answer


def server_error(request: HttpRequest) -> HttpResponse:
    """500: no detail of what went wrong leaves the server; it is in the log."""
    if is_api(request):
        return json_error(DETAILS[500], 500)
    return defaults.server_error(request)
