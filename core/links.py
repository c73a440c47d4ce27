"""A page's address for many ids without reversing each one.

A list draws a link for every row (25 to 75 of them), and `reverse()` costs about 15 µs a call, most of it finding
the pattern again. `address_of(name)` reverses the name once, with an id no row has, and gives a function that puts
each row's id where that id was. It is remembered per URL configuration and script prefix, as `reverse` would
depend on them.
"""

from collections.abc import Callable
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

_PLACEHOLDER = 987_654_321_987  # an id no row has, which appears in no address of ours


def address_of(url_name: str) -> Callable[[int], str]:
    """`address_of("referrals:detail")(pk) == reverse("referrals:detail", args=[pk])`, for a page whose one
    argument is an integer id."""
    return _address_of(url_name, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=256)
def _address_of(url_name: str, urlconf, prefix: str) -> Callable[[int], str]:
    address = reverse(url_name, args=[_PLACEHOLDER], urlconf=urlconf)
    before, found, after = address.partition(str(_PLACEHOLDER))
    if not found or str(_PLACEHOLDER) in after:
        raise ValueError(f"{url_name} does not take one integer id.")

    def of(pk: int) -> str:
        return f"{before}{int(pk)}{after}"

    return of
