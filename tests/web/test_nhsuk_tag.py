"""`{% nhsuk_tag %}` draws what `{% include "includes/tag.html" %}` drew, byte for byte (issue 20: every page's tags
now use the tag, for a fraction of an include's cost), and no template includes the old one any more."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

TEXTS = ["Urgent", '<b>Not</b> & "so"', mark_safe("<em>Safe</em>"), gettext_lazy("Reviewed"), 3, ""]
COLOURS = ["red", "green", "aqua-green", "white", "no-such-colour", "", None]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("colour", COLOURS)
@pytest.mark.parametrize("classes", ["", "app-flag", "app-overdue <x>"])
def test_the_tag_is_the_old_include_byte_for_byte(text, colour, classes):
    context = {"t": text, "c": colour, "k": classes}
    old = Template('{% include "includes/tag.html" with text=t colour=c classes=k %}').render(Context(context))
    new = Template("{% load nhsuk %}{% nhsuk_tag t c k %}").render(Context(context))
    assert new == old
    if not classes:
        short = Template('{% include "includes/tag.html" with text=t colour=c %}').render(Context(context))
        assert Template("{% load nhsuk %}{% nhsuk_tag t c %}").render(Context(context)) == short


def test_no_template_includes_the_old_tag_any_more():
    root = Path(settings.BASE_DIR) / "templates"
    users = [
        p
        for p in root.rglob("*.html")
        if p.name != "tag.html" and 'include "includes/tag.html"' in p.read_text(encoding="utf-8")
    ]
    assert users == []
