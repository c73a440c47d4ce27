"""The family a notice names, drawn by `notice_tags.notice_family` (issue 20), is what the include it replaced drew,
byte for byte: a born child, an unborn one, no date, no parent's name, a name that needs escaping, a reader who may
not open the family (the reference alone) and a notice about no family."""

import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import get_template

from notices.models import Notice, NoticeKind

# notices/_family.html as it was before `notice_family` (issue 20), kept beside this test.
OLD_INCLUDE = (Path(__file__).parent / "notice_family_before.html").read_text(encoding="utf-8")


def _family(**overrides):
    family = {"parent": "Amy O'Neil", "child": "Baby Jo", "born": datetime.date(2026, 9, 7), "due": None}
    return family | overrides


@pytest.mark.parametrize(
    "family",
    [
        _family(),
        _family(born=None, due=datetime.date(2027, 1, 30)),
        _family(born=None),
        _family(parent=""),
        _family(parent="<script>alert(1)</script> & Co", child='"Baby" <b>'),
        None,
    ],
)
@pytest.mark.parametrize("referral_id", [4321, None])
def test_notice_family_is_the_old_include_byte_for_byte(db, family, referral_id):
    notice = SimpleNamespace(referral_id=referral_id, referral_reference="R004321", family=family)
    old = Template(OLD_INCLUDE).render(Context({"notice": notice}))
    new = Template("{% load notice_tags %}{{ notice|notice_family }}").render(Context({"notice": notice}))
    assert new == old
    assert "<script>" not in new


def test_a_notice_without_a_label_names_the_reference(db):
    notice = SimpleNamespace(referral_id=7, referral_reference="R000007")
    assert "R000007" in Template("{% load notice_tags %}{{ notice|notice_family }}").render(Context({"notice": notice}))


# notices/home_notices.html as it was before `home_notice_items` (issue 20), kept beside this test.
OLD_HOME_NOTICES = (Path(__file__).parent / "home_notices_before.html").read_text(encoding="utf-8")


def _notices(recipient) -> list[Notice]:
    """Every kind, urgent or not, escalated or open, with and without a family, summer and winter times."""
    summer = datetime.datetime(2026, 7, 1, 23, 30, tzinfo=datetime.UTC)  # 2 July 00:30 in London
    winter = datetime.datetime(2026, 12, 1, 9, 5, tzinfo=datetime.UTC)
    notices = []
    for n, kind in enumerate(NoticeKind.values):
        notice = Notice(
            pk=100 + n,
            recipient=recipient,
            kind=kind,
            summary=f'Summary {n} <b>& "quoted"</b>',
            urgent=n % 2 == 0,
            created_at=summer if n % 2 else winter,
            referral_id=None if n == 3 else 40 + n,
            escalated_at=winter if n == 2 else None,
        )
        notice.family = _family() if n % 3 else None
        notices.append(notice)
    return notices


def test_home_notice_items_are_the_old_loop_byte_for_byte(coordinator):
    notices = _notices(coordinator)
    assert {n.state for n in notices} == {"open", "escalated"} and any(n.urgent for n in notices)
    context = {"section": {"notices": notices, "more": True, "handled": []}}
    old = Template(OLD_HOME_NOTICES).render(Context(context))
    new = get_template("notices/home_notices.html").render(context)
    assert new == old
    assert "2 Jul 2026, 00:30" in new and "<b>" not in new
