"""Recording and correcting a referral, and the birth of an unborn baby."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import AccessAction, Service, User
from accounts.permissions import InService, Perm, requires
from core import languages, postcodes
from core.text import check_text, check_text_fields

from .. import eligibility, nhs_number
from ..history import diff, plain, record_change
from ..models import OTHER_CHILD_FIELDS, PARENT_FIELDS, REFERRAL_FIELDS, OtherChild, Parent, Referral
from ..names import name_key, name_parts, same_person_name
from ..states import ReferralStatus, TransitionRefused
from ..validation import birth_date_errors, validate_referral_dates
from .common import lock_referral
from .triage import return_to_queue


class DuplicateSuspected(Exception):
    """The family may already have an open referral in this service; `referrals` lists them."""

    def __init__(self, referrals: list[Referral]):
        super().__init__("This family may already have an open referral in this service.")
        self.referrals = referrals


def _snapshot(referral: Referral) -> dict:
    data = {name: plain(getattr(referral, name)) for name in REFERRAL_FIELDS}
    for parent in referral.parents.all():
        for name in PARENT_FIELDS:
            data[f"parent {parent.order}: {name}"] = plain(getattr(parent, name))
    for index, child in enumerate(referral.other_children.all(), start=1):
        for name in OTHER_CHILD_FIELDS:
            data[f"other child {index}: {name}"] = plain(getattr(child, name))
    return data


def _valid_number(value: str, field: str) -> str:
    try:
        return nhs_number.validate(value) if value else ""
    except nhs_number.InvalidNHSNumber as error:
        raise ValidationError({field: str(error)}) from error


def _letter_language(parent: dict, slot: int) -> str:
    """The ISO 639 code letters to this parent are written in: the one chosen, else the typed preferred language
    when it is unambiguous. Never guessed: a preferred language we cannot read needs a person to choose."""
    field = f"parent{slot}_letter_language"
    chosen = str(parent.get("letter_language") or "").strip()
    if chosen:
        if not languages.get(chosen):
            raise ValidationError({field: "Choose a language for letters from the list"})
        return languages.get(chosen).code
    typed = str(parent.get("preferred_language") or "").strip()
    code = languages.match(typed) if typed else languages.ENGLISH
    if not code:
        raise ValidationError(
            {field: f'Choose the language for letters: we cannot tell it from the preferred language "{typed[:40]}"'}
        )
    return code


def _normalise_identifiers(data: dict, parents: list[dict]) -> None:
    if "child_nhs_number" in data:
        data["child_nhs_number"] = _valid_number(data["child_nhs_number"], "child_nhs_number")
    for slot, parent in enumerate(parents, start=1):
        parent["nhs_number"] = _valid_number(parent.get("nhs_number", ""), "parent_nhs_number")
        parent["postcode"] = postcodes.normalise(str(parent.get("postcode", "")))
        parent["letter_language"] = _letter_language(parent, slot)


def _validate(referral: Referral, parents: list[dict]) -> None:
    if referral.site.service_id != referral.service_id:
        raise ValidationError({"site": "Choose a site of this service"})
    if referral.referral_source.service_id != referral.service_id:
        raise ValidationError({"referral_source": "Choose a referral source of this service"})
    if not parents:
        raise ValidationError({"parents": "Enter at least one parent or carer"})
    validate_referral_dates(
        date_received=referral.date_received,
        child_unborn=referral.child_unborn,
        child_date_of_birth=referral.child_date_of_birth,
        expected_delivery_date=referral.expected_delivery_date,
        parent_dates_of_birth=[p.get("date_of_birth") for p in parents],
    )


def _check_text(referral: Referral, parents: list[dict], other_children: list[dict]) -> None:
    """Lengths and refused characters as the model fields define them, for callers that skip the forms and API.

    Errors are keyed like the page form's fields (`parent1_name`, `older_child1_name`).
    """
    people = [Parent(**{k: v for k, v in p.items() if k in PARENT_FIELDS}) for p in parents]
    children = [OtherChild(**{k: v for k, v in c.items() if k in OTHER_CHILD_FIELDS}) for c in other_children]
    check_text_fields(
        referral,
        *people,
        *children,
        prefixes=(
            "",
            *(f"parent{i}_" for i in range(1, len(people) + 1)),
            *(f"older_child{i}_" for i in range(1, len(children) + 1)),
        ),
    )


def _records_of_others(person) -> bool:
    """Does any other app's record point at this person (a consent they gave, a filming they were in)?

    Read through the model's relations, so `referrals` needs to know nothing of the apps that build on it.
    """
    relations = [
        field
        for field in person._meta.get_fields(include_hidden=True)  # hidden: related_name="+" relations too
        if field.auto_created and not field.concrete and (field.one_to_many or field.many_to_many)
    ]
    for relation in relations:
        if relation.related_model._meta.app_label == "referrals":
            continue
        if relation.related_model._default_manager.filter(**{relation.field.name: person}).exists():
            return True
    return False


def _save_list(existing: list, wanted: list[dict], fields: list[str], label: str, make) -> None:
    """Update people in place, in order; add new ones; remove ones no longer named, unless records point at them.

    Updating in place keeps everything that refers to a person (consent they gave, filmings they are in); deleting
    and re-creating them would silently erase it through the database's cascade.
    """
    for index, values in enumerate(wanted):
        clean = {k: v for k, v in values.items() if k in fields}
        if index < len(existing):
            person = existing[index]
            for name, value in clean.items():
                setattr(person, name, value)
            person.save()
        else:
            make(index, clean).save()
    for person in existing[len(wanted) :]:
        if _records_of_others(person):
            raise ValidationError(
                {label: f"{person} has consent or filming records, so cannot be removed from the referral"}
            )
        person.delete()


def _save_people(referral: Referral, parents: list[dict], other_children: list[dict]) -> None:
    _save_list(
        list(referral.parents.order_by("order", "pk")),
        parents,
        PARENT_FIELDS,
        "parents",
        lambda index, values: Parent(referral=referral, order=index + 1, **values),
    )
    _save_list(
        list(referral.other_children.order_by("pk")),
        list(other_children),
        OTHER_CHILD_FIELDS,
        "other_children",
        lambda index, values: OtherChild(referral=referral, **values),
    )


def _apply_eligibility(referral: Referral, parents: list[dict]) -> None:
    result = eligibility.evaluate(referral, postcode=parents[0].get("postcode", "") if parents else "")
    referral.eligible = result.eligible
    referral.eligibility_reasons = result.as_list()
    referral.eligibility_checked_at = timezone.now()


def possible_duplicates(
    *, service: Service, nhs_numbers: list[str], parent_names_and_dobs: list[tuple[str, date]], exclude_pk=None
):
    """Open referrals in the same service with a shared NHS number, or a parent born the same day whose name could
    be the same person's (`referrals.names`: case, spacing, punctuation, order, an initial, one slip forgiven).

    Never looks outside `service`, so another service's families are never revealed. Each identifier is found
    through its own index (the child's and the parents' NHS numbers, the parents' dates of birth) and the matches
    are `pk IN (… UNION …)`: an OR across the parents join (and the DISTINCT it needs) would walk every open
    referral of the service, which a backlog makes thousands.
    """
    numbers = [n for n in nhs_numbers if n]
    people = [(name, dob) for name, dob in parent_names_and_dobs if dob and name_parts(name)]
    parents = Parent.objects.filter(service_id=service.pk).order_by()
    matches = []
    if numbers:
        matches.append(Referral.objects.filter(service=service, child_nhs_number__in=numbers).order_by().values("pk"))
        matches.append(parents.filter(nhs_number__in=numbers).values("referral_id"))
    named = _referrals_with_a_parent_like(parents, people) if people else []
    if named:
        matches.append(Referral.objects.filter(pk__in=named).order_by().values("pk"))
    if not matches:
        return Referral.objects.none()
    found = Referral.objects.filter(service=service).open().filter(pk__in=matches[0].union(*matches[1:]))
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    return found.order_by("date_received", "pk").with_list_details()


def _referrals_with_a_parent_like(parents, people: list[tuple[str, date]]) -> list[int]:
    """Ids of the referrals with a parent born on one of these days whose name could be the same person's. The
    parents come from the date-of-birth index (a handful a day, even in a backlogged service); the names are
    compared here, as SQL cannot say "one slip apart" through an index."""
    found = set()
    rows = parents.filter(date_of_birth__in={dob for _, dob in people}).values_list(
        "referral_id", "name", "date_of_birth"
    )
    for referral_id, name, born in rows:
        if any(dob == born and same_person_name(typed, name) for typed, dob in people):
            found.add(referral_id)
    return sorted(found)


def _identifiers(child_nhs_number: str, parents) -> tuple[set[str], set[tuple[str, date]]]:
    """The NHS numbers and the parents' (name, date of birth) that tell one family from another, as the duplicate
    check compares them: numbers already normalised, names as `referrals.names.name_key` writes them (so respacing
    or recasing a name is not a new identifier, while correcting it to another is)."""
    numbers = {n for n in [child_nhs_number, *(p.get("nhs_number", "") for p in parents)] if n}
    pairs = {
        (name_key(p.get("name") or ""), p.get("date_of_birth"))
        for p in parents
        if name_key(p.get("name") or "") and p.get("date_of_birth")
    }
    return numbers, pairs


def _parents_as_dicts(referral: Referral) -> list[dict]:
    return [
        {"name": p.name, "nhs_number": p.nhs_number, "date_of_birth": p.date_of_birth} for p in referral.parents.all()
    ]


def _refuse_new_duplicates(referral: Referral, *, before, after, confirmed: bool) -> None:
    """The duplicate check, on the identifiers a new referral, a correction or a birth adds (a new referral adds
    all of its own).

    Checking corrections too means a referral saved with a wrong or missing NHS number and corrected afterwards is
    still compared with the family's other open referral. Only identifiers the change adds are checked (a pair the
    coordinator already saw and confirmed does not stop every later correction). The service's row is locked
    first, so two people recording the same family at the same moment cannot both save it unawares."""
    if confirmed:
        return
    numbers, pairs = after[0] - before[0], after[1] - before[1]
    if not numbers and not pairs:
        return
    Service.objects.select_for_update().filter(pk=referral.service_id).first()
    duplicates = list(
        possible_duplicates(
            service=referral.service,
            nhs_numbers=sorted(numbers),
            parent_names_and_dobs=sorted(pairs),
            exclude_pk=referral.pk,
        )
    )
    if duplicates:
        raise DuplicateSuspected(duplicates)


def _new_referral_place(kwargs: dict) -> InService:
    """Where a new referral will be (its service, and its site if given): what referral.create is checked on."""
    site = kwargs["data"].get("site")
    return InService(kwargs["service"].pk, getattr(site, "pk", site))


@transaction.atomic
@requires(Perm.REFERRAL_CREATE, on=_new_referral_place)
def create_referral(
    *,
    service: Service,
    data: dict,
    parents: list[dict],
    other_children: list[dict] = (),
    by: User,
    confirmed_not_duplicate: bool = False,
    request=None,
) -> Referral:
    """Record a new referral; its eligibility is computed now and kept as computed then.

    Unless the coordinator has confirmed it is not a duplicate, an open referral of the same family in the same
    service stops the save (DuplicateSuspected). The check runs under a lock on the service's row, so two people
    recording the same family at the same moment cannot both save it unawares.
    """
    data, parents = dict(data), [dict(p) for p in parents]
    _normalise_identifiers(data, parents)
    referral = Referral(service=service, created_by=by, **{k: v for k, v in data.items() if k in REFERRAL_FIELDS})
    _validate(referral, parents)
    _check_text(referral, parents, list(other_children))
    _refuse_new_duplicates(
        referral,
        before=(set(), set()),
        after=_identifiers(data.get("child_nhs_number", ""), parents),
        confirmed=confirmed_not_duplicate,
    )
    _apply_eligibility(referral, parents)
    referral.save()
    _save_people(referral, parents, list(other_children))
    record_change(
        referral=referral,
        by=by,
        kind="created",
        summary="Referral recorded",
        changes=diff({}, _snapshot(referral)),
        request=request,
        access=AccessAction.CREATE,
    )
    return referral


@transaction.atomic
@requires(Perm.REFERRAL_UPDATE, on="referral")
def update_referral(
    *,
    referral: Referral,
    data: dict,
    parents: list[dict],
    other_children: list[dict] = (),
    by: User,
    confirmed_not_duplicate: bool = False,
    request=None,
) -> Referral:
    """Correct or complete a referral. An update to one awaiting information returns it to the triage queue.

    An NHS number, or a parent's name and date of birth, that the correction adds is checked against the service's
    other open referrals as a new referral's are (DuplicateSuspected, unless `confirmed_not_duplicate`)."""
    referral = lock_referral(referral)
    if not referral.is_open:
        raise TransitionRefused(f"This referral is {referral.get_status_display().lower()} and can no longer change.")
    data, parents = dict(data), [dict(p) for p in parents]
    _normalise_identifiers(data, parents)
    before = _snapshot(referral)
    identified_before = _identifiers(referral.child_nhs_number, _parents_as_dicts(referral))
    for name, value in data.items():
        if name in REFERRAL_FIELDS:
            setattr(referral, name, value)
    _validate(referral, parents)
    _check_text(referral, parents, list(other_children))
    _refuse_new_duplicates(
        referral,
        before=identified_before,
        after=_identifiers(referral.child_nhs_number, parents),
        confirmed=confirmed_not_duplicate,
    )
    _apply_eligibility(referral, parents)
    referral.save()
    _save_people(referral, parents, list(other_children))
    changes = diff(before, _snapshot(referral))
    record_change(
        referral=referral,
        by=by,
        kind="updated",
        summary=f"Referral updated ({len(changes)} changes)",
        changes=changes,
        request=request,
    )
    if "site" in changes:
        _note_site_change(referral, changes["site"], by=by, request=request)
    if referral.status == ReferralStatus.AWAITING_INFORMATION:
        referral = return_to_queue(referral, by=by, note="Referral updated with the information requested")
    return referral


def _note_site_change(referral: Referral, sites: list, *, by: User, request=None) -> None:
    """An allocated family moved site: say so in their history, and whether their practitioner still covers the
    new site. Until someone reallocates them the record and lists show "Moved site: check allocation"."""
    current = referral.allocations.filter(ended_at__isnull=True).select_related("practitioner").first()
    if current is None:
        return
    covered = not Referral.objects.filter(pk=referral.pk).with_reallocation_flag()[0].allocation_outside_site
    summary = f"Moved to {referral.site.name} while allocated to {current.practitioner}"
    summary += ", who also works there" if covered else ": check the allocation"
    record_change(
        referral=referral,
        by=by,
        kind="site_changed",
        summary=summary,
        changes={"site": sites, "practitioner covers the new site": [None, covered]},
        request=request,
        detail={"site_changed_while_allocated": True},
    )


@transaction.atomic
@requires(Perm.REFERRAL_UPDATE, on="referral")
def record_birth(
    *,
    referral: Referral,
    date_of_birth: date,
    name: str = "",
    child_nhs_number: str = "",
    by: User,
    confirmed_not_duplicate: bool = False,
    request=None,
) -> Referral:
    """The unborn baby has arrived: record the birth without re-entering the referral. The baby's new NHS number
    is checked against the service's other open referrals (a family referred before and after the birth)."""
    referral = lock_referral(referral)
    if not referral.child_unborn:
        raise TransitionRefused("The birth has already been recorded on this referral.")
    error = birth_date_errors(date_of_birth=date_of_birth, referral_date_received=referral.date_received)
    if error:
        raise ValidationError({"date_of_birth": error})
    number = _valid_number(child_nhs_number, "child_nhs_number")
    check_text(name, field="name", label="Child's name", max_length=200, multiline=False)
    parents = _parents_as_dicts(referral)
    _refuse_new_duplicates(
        referral,
        before=_identifiers(referral.child_nhs_number, parents),
        after=_identifiers(number, parents),
        confirmed=confirmed_not_duplicate,
    )
    before = _snapshot(referral)
    referral.child_unborn, referral.child_date_of_birth = False, date_of_birth
    referral.child_name, referral.child_nhs_number = name.strip(), number
    referral.birth_recorded_at = timezone.now()
    referral.save()
    record_change(
        referral=referral,
        by=by,
        kind="birth_recorded",
        summary="Birth recorded",
        changes=diff(before, _snapshot(referral)),
        request=request,
        detail={"birth_recorded": True},
    )
    return referral
