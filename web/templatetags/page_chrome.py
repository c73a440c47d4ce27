"""The page's header (the service's name, who is signed in, the sign-out button and the menu), drawn in Python.

Every HTML page draws it, and drawn by the template engine it cost about 750 Python calls a page (a few per cent
of a busy page's CPU, issue 20): a loop of a dozen menu items, each with its conditions and escaped values. The
markup is what `base.html`'s header block drew, to the byte (the old block is kept beside
`tests/web/test_site_header.py`, which compares the two for people signed in and out, every role's menu, a current
page and hostile names). Every value is escaped (`web.markup.escaped`) before it is joined.
"""

from django import template
from django.utils.safestring import mark_safe

from web.context_processors import cached_url
from web.markup import escaped

register = template.Library()

_OPEN = (
    '\n    <header class="nhsuk-header" data-module="nhsuk-header" role="banner">\n'
    '      <div class="nhsuk-header__container nhsuk-width-container">\n'
    '        <div class="nhsuk-header__service">\n'
    '          <a class="nhsuk-header__service-logo" href="/" aria-label="NHS '
)
_LOGO = (
    ' homepage">\n'
    '            <svg class="nhsuk-header__logo" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80" height="40" '
    'width="100" focusable="false" role="img" aria-label="NHS">\n'
    "              <title>NHS</title>\n"
    '              <path fill="currentcolor" d="M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 '
    "16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 "
    "32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm"
    "-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l"
    '13.5-65H125L119.5 32h-20l5-24.5Z"/>\n'
    "            </svg>\n"
    '            <span class="nhsuk-header__service-name">'
)
_SERVICE_END = "</span>\n          </a>\n        </div>\n        "
_ACCOUNT = (
    '\n        <nav class="nhsuk-header__account" aria-label="Account">\n'
    '          <ul class="nhsuk-header__account-list">\n'
    '            <li class="nhsuk-header__account-item">\n'
    '              <svg class="nhsuk-icon nhsuk-icon--user" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" '
    'width="16" height="16" focusable="false" aria-hidden="true">\n'
    '                <path d="M12 1a11 11 0 1 1 0 22 11 11 0 0 1 0-22Zm0 2a9 9 0 0 0-5 16.5V18a4 4 0 0 1 4-4h2a4 4 0 '
    '0 1 4 4v1.5A9 9 0 0 0 12 3Zm0 3a3.5 3.5 0 1 1-3.5 3.5A3.4 3.4 0 0 1 12 6Z"/>\n'
    "              </svg>\n"
    "              "
)
_SIGN_OUT = (
    "\n            </li>\n"
    '            <li class="nhsuk-header__account-item">\n'
    '              <form class="nhsuk-header__account-form" action="'
)
_FORM_OPEN = '" method="post" novalidate>\n                '
_ACCOUNT_END = (
    "\n"
    '                <button class="nhsuk-header__account-button">Sign out</button>\n'
    "              </form>\n"
    "            </li>\n"
    "          </ul>\n"
    "        </nav>\n"
    "        "
)
_CONTAINER_END = "\n      </div>\n      "
_MENU_OPEN = (
    '\n      <nav class="nhsuk-header__navigation" aria-label="Menu">\n'
    '        <div class="nhsuk-header__navigation-container nhsuk-width-container">\n'
    '          <ul class="nhsuk-header__navigation-list">\n'
    "            "
)
_MENU_END = (
    '\n            <li class="nhsuk-header__menu" hidden>\n'
    '              <button class="nhsuk-header__menu-toggle nhsuk-header__navigation-link" id="toggle-menu" '
    'aria-expanded="false">\n'
    '                <span class="nhsuk-u-visually-hidden">Browse </span>More\n'
    "              </button>\n"
    "            </li>\n"
    "          </ul>\n"
    "        </div>\n"
    "      </nav>\n"
    "      "
)
_HEADER_END = "\n    </header>\n    "


def _menu_item(item: dict) -> str:
    """One menu item; the current page's is marked for screen readers and, without CSS, in bold."""
    url, label = escaped(item["url"]), escaped(item["label"])
    if item["current"]:
        return (
            '\n            <li class="nhsuk-header__navigation-item nhsuk-header__navigation-item--current">\n'
            f'              \n              <a class="nhsuk-header__navigation-link" href="{url}" aria-current="page">'
            f'<strong class="nhsuk-header__navigation-item-current-fallback">{label}</strong></a>\n'
            "              \n            </li>\n            "
        )
    return (
        '\n            <li class="nhsuk-header__navigation-item">\n'
        "              \n"
        f'              <a class="nhsuk-header__navigation-link" href="{url}">{label}</a>\n'
        "              \n            </li>\n            "
    )


def _csrf_input(token) -> str:
    """`{% csrf_token %}`: the hidden field, nothing where the view opted out or no token was made."""
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escaped(token)}">'


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    """The header every page shows: the service's name, and for someone signed in their name, the sign-out form
    and the menu their roles allow (`web.context_processors.site_settings`)."""
    name = escaped(context.get("service_name") or "VIG Service")
    parts = [_OPEN, name, _LOGO, name, _SERVICE_END]
    user = context.get("user")
    if user and getattr(user, "is_authenticated", False):
        parts += [
            _ACCOUNT,
            escaped(getattr(user, "display_name", "")),
            _SIGN_OUT,
            escaped(cached_url("accounts:logout")),
            _FORM_OPEN,
            _csrf_input(context.get("csrf_token")),
            _ACCOUNT_END,
        ]
    parts.append(_CONTAINER_END)
    items = context.get("nav_items")
    if items:
        parts += [_MENU_OPEN, *(_menu_item(item) for item in items), _MENU_END]
    parts.append(_HEADER_END)
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)
