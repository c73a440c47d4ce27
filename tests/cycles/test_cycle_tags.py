"""The record's cycles timeline and footage table drawn in Python (`cycles.templatetags.cycle_tags`, issue 20) are
what the template loops drew, byte for byte (the old sections are kept beside this test): cycles overdue, reviewed
and in progress, filmed or not, with clips or not, with a next step or none; footage not recorded, held with a
reference and the family's copy, due for destruction and overdue, destroyed by the vault, confirmed by a person or
by nobody named; for every combination of who may record and who may confirm; with text that must be escaped."""

import itertools
from datetime import date
from pathlib import Path

import pytest
from django.template import Context, Template

from accounts.models import User
from cycles.models import Cycle, FamilyCopy, FilmedActivity, Filming, Footage, SharedReview
from cycles.reads.timeline import CycleStep
from referrals.models import Referral

HERE = Path(__file__).parent
OLD_CYCLES = (HERE / "cycles_section_before.html").read_text(encoding="utf-8")
OLD_FOOTAGE = (HERE / "footage_section_before.html").read_text(encoding="utf-8")
NEW_CYCLES = (HERE.parents[1] / "templates" / "cycles" / "_cycles_section.html").read_text(encoding="utf-8")
NEW_FOOTAGE = (HERE.parents[1] / "templates" / "cycles" / "_footage_section.html").read_text(encoding="utf-8")


def _filming(pk, number, filmed_on, activity=FilmedActivity.FEEDING):
    return Filming(pk=pk, cycle=Cycle(pk=100 + number, number=number), filmed_on=filmed_on, activity=activity)


def _steps():
    first = _filming(1, 1, date(2026, 3, 29), FilmedActivity.NAPPY_CHANGE)
    second = _filming(2, 2, date(2026, 12, 31), FilmedActivity.OTHER)
    return [
        CycleStep(
            cycle=first.cycle,
            filming=first,
            clips=["a", "b"],
            review=None,
            stage="clips_chosen",
            next_step="Shared review <due> by 2 April & soon",
            overdue=True,
        ),
        CycleStep(
            cycle=second.cycle,
            filming=second,
            clips=["a", "b", "c"],
            review=SharedReview(reviewed_on=date(2027, 1, 1)),
            stage="reviewed",
            next_step="",
        ),
        CycleStep(
            cycle=Cycle(pk=103, number=3), filming=None, clips=[], review=None, stage="to_film", next_step="Film"
        ),
    ]


def _glance(steps):
    return {"planned": 3, "min": 2, "max": 4, "reviewed": 1, "steps": steps, "next_number": 4, "start_refusal": ""}


@pytest.mark.parametrize("can_record", [True, False])
@pytest.mark.parametrize("steps", [_steps(), _steps()[:1], []])
def test_the_cycles_timeline_is_the_old_loop_byte_for_byte(can_record, steps):
    context = {"referral": Referral(pk=42), "section": {"glance": _glance(steps), "can_record": can_record}}
    old = Template(OLD_CYCLES).render(Context(context))
    new = Template(NEW_CYCLES).render(Context(context))
    assert new == old
    if steps:
        assert "Review overdue" in new and "&lt;due&gt;" in new and 'href="/cycles/101/"' in new


def _rows():
    confirmer = User(pk=9, username="ann", first_name="Ann", last_name="<Lee>")
    plain, held, vault, confirmed, nobody, bare = (_filming(pk, pk, date(2026, pk, pk)) for pk in range(1, 7))
    footage = [
        None,
        Footage(
            pk=11,
            filming=held,
            location="Team <share> & drive",
            reference="R&1",
            family_copy=FamilyCopy.GIVEN,
            family_copy_on=date(2026, 4, 5),
            family_copy_how="USB <stick>",
            destroy_by=date(2026, 9, 1),
        ),
        Footage(
            pk=12,
            filming=vault,
            location="Vault",
            destroy_by=date(2026, 9, 1),
            destroyed_on=date(2026, 9, 1),
            destroyed_by_vault=True,
        ),
        Footage(
            pk=13,
            filming=confirmed,
            location="Drive",
            destroy_by=date(2026, 9, 1),
            destroyed_on=date(2026, 9, 2),
            destruction_confirmed_by=confirmer,
        ),
        Footage(pk=14, filming=nobody, location="Drive", destroyed_on=date(2026, 9, 3)),
        Footage(pk=15, filming=bare, location="Drive", family_copy=FamilyCopy.DECLINED),
    ]
    filmings = [plain, held, vault, confirmed, nobody, bare]
    overdue = [False, True, False, False, False, False]
    return [
        {"filming": f, "footage": ft, "overdue": late} for f, ft, late in zip(filmings, footage, overdue, strict=True)
    ]


@pytest.mark.parametrize(("can_record", "can_confirm"), list(itertools.product([True, False], repeat=2)))
def test_the_footage_table_is_the_old_loop_byte_for_byte(can_record, can_confirm):
    section = {"rows": _rows(), "keep_months": 6, "can_record": can_record, "can_confirm": can_confirm}
    context = {"referral": Referral(pk=42), "section": section}
    old = Template(OLD_FOOTAGE).render(Context(context))
    new = Template(NEW_FOOTAGE).render(Context(context))
    assert new == old
    assert "Team &lt;share&gt; &amp; drive (R&amp;1)" in new and "Ann &lt;Lee&gt;" in new and "confirmed by None" in new
    assert ("Record where it is held" in new) == can_record and ("Confirm destruction" in new) == can_confirm
