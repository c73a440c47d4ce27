"""Records that were destroyed under a retention rule answer 410 Gone, with their tombstone, to those who could see
them; everyone else still gets 404 (existence is not revealed).

`vig_service` knows no app: an app that destroys records registers a lookup for the model's label (in its
`AppConfig.ready()`), and `web.pages.load_visible` / `web.api.load_visible` ask it before answering
404. A lookup takes the user and the id and returns the tombstone as a dict of plain values, or None.
"""

from collections.abc import Callable

from django.shortcuts import render

TombstoneLookup = Callable[[object, object], dict | None]
_registry: dict[str, TombstoneLookup] = {}


def tombstone_lookup(model_label: str):
    """Register `func(user, pk) -> dict | None` for the model with this label ("referrals.referral")."""

    def register(func: TombstoneLookup) -> TombstoneLookup:
        _registry[model_label.lower()] = func
        return func

    return register


def find_tombstone(model, user, pk) -> dict | None:
    lookup = _registry.get(model._meta.label_lower)
    if lookup is None or not getattr(user, "is_authenticated", False):
        return None
    return lookup(user, pk)


class RecordGone(Exception):
    """The record was destroyed; `tombstone` says which, when, by whom and under which rule."""

    def __init__(self, tombstone: dict):
        super().__init__("This record was destroyed.")
        self.tombstone = tombstone


class GoneMiddleware:
    """Turns RecordGone raised by a page into a 410 page showing the tombstone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RecordGone):
            return render(request, "tombstone.html", {"tombstone": exception.tombstone}, status=410)
        return None
