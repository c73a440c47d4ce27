"""`core.links.address_of` gives what `reverse` gives, for every page of ours that takes one id, under any script
prefix; a page that does not take one id is refused rather than given a wrong address."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse, set_script_prefix

from core.links import address_of


def _one_id_pages(resolver=None, namespace="") -> list[str]:
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _one_id_pages(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            converters = pattern.pattern.converters
            if len(converters) == 1 and type(next(iter(converters.values()))).__name__ == "IntConverter":
                names.append(f"{namespace}{pattern.name}")
    return names


def test_every_one_id_page_is_addressed_as_reverse_addresses_it():
    names = _one_id_pages()
    assert {"referrals:detail", "cycles:visit_detail", "notices:acknowledge"} <= set(names)
    for name in names:
        try:
            expected = {pk: reverse(name, args=[pk]) for pk in (1, 7, 42, 123456, 10**12)}
        except Exception:  # a name shared by patterns of other shapes: reverse itself cannot address it by one id
            continue
        assert {pk: address_of(name)(pk) for pk in expected} == expected, name


def test_the_script_prefix_is_followed():
    try:
        set_script_prefix("/vig/")
        assert address_of("referrals:detail")(5) == reverse("referrals:detail", args=[5]) == "/vig/referrals/5/"
    finally:
        set_script_prefix("/")
    assert address_of("referrals:detail")(5) == "/referrals/5/"


def test_a_page_without_one_id_is_refused():
    with pytest.raises(Exception):  # noqa: B017 (NoReverseMatch or ValueError: either way, no address)
        address_of("home")(3)
