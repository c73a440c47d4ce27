"""Reading a FHIR R4 referral Bundle into the referral API's input, and building the resources we answer with.

Parsing and building go through `fhir.resources` (its R4B models, wire-compatible with R4 for every resource used
here: ADR 0029). A Bundle is first checked as FHIR (types, cardinality, unknown elements), then read into exactly
the dictionary `POST /api/v1/referrals/` takes, with the FHIR path each value came from, so the referral API's own
checks (NHS numbers, dates, text, the service's sites and sources) run unchanged and every problem is reported at
the path the sender wrote it.
"""

import base64
import hashlib
import json
from dataclasses import dataclass, field

import pydantic
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.operationoutcome import OperationOutcome

from accounts.models import ReferralSource, Service
from core import languages

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
SERVICE_SYSTEM = "urn:vig-service:service"  # ServiceRequest.performer.identifier: the service's slug
EXPECTED_DELIVERY_URL = "urn:vig-service:extension:expected-delivery-date"  # on the unborn baby's Patient
INTERPRETER_URL = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
ETHNIC_CATEGORY_URL = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory"
LETTER_KIND_SYSTEM = "urn:vig-service:letter-kind"
# QuestionnaireResponse items (by linkId) that fill the referral's own fields; any other linkId must be one of the
# service's questions (GET /api/v1/services/{slug}/).
TEXT_ITEMS = {
    "reason_details",
    "attachment_concerns",
    "mental_health_concerns",
    "hoped_for_change",
    "impact_on_child",
    "risks_to_staff",
    "child_send_details",
    "gp_practice",
    "named_health_visitor",
    "named_health_visitor_team",
    "named_health_visitor_address",
    "named_health_visitor_contact",
}
CODE_ITEMS = {"safeguarding_status", "change_agreed_with_parent"}
BOOLEAN_ITEMS = {"parent_consented_to_referral", "prfq_completed", "confidential_address", "bereavement", "child_send"}
LIST_ITEMS = {"concerns"}
REFERRAL_ITEMS = TEXT_ITEMS | CODE_ITEMS | BOOLEAN_ITEMS | LIST_ITEMS


@dataclass
class Problem:
    """One thing wrong with what was sent, at its FHIR path."""

    path: str
    message: str
    code: str = "invalid"  # an OperationOutcome issue type: invalid, required, value, business-rule, duplicate


class BundleRefused(Exception):
    """The Bundle cannot make a referral; `problems` name each reason by FHIR path."""

    def __init__(self, problems: list[Problem], status: int = 422):
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems, self.status = problems, status


@dataclass
class ReadBundle:
    """A Bundle read into the referral API's input: `data` as POST /api/v1/referrals/ takes it, `paths` the FHIR
    path of each input field (dotted: `parents.0.nhs_number`), and the identifier that keys the receipt."""

    data: dict
    paths: dict = field(default_factory=dict)
    service: Service | None = None
    key: tuple[str, str] = ("", "")
    body_hash: str = ""


def body_hash(body) -> str:
    """The SHA-256 of a Bundle as canonical JSON, so the same Bundle sent again is recognised as the same."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def fhir_path(loc) -> str:
    """A pydantic error location as the FHIR path a sender recognises: Bundle.entry[0].resource.birthDate."""
    path = "Bundle"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def parse(body) -> Bundle:
    """Check the body is a FHIR Bundle (shape, types, no unknown elements), or refuse with each problem's path."""
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        raise BundleRefused([Problem("Bundle", "Send a FHIR Bundle (resourceType Bundle)", "structure")], 400)
    try:
        return Bundle.model_validate(body)
    except pydantic.ValidationError as error:
        problems = [
            Problem(fhir_path(e["loc"]), str(e["msg"])[:300], "required" if e["type"] == "missing" else "structure")
            for e in error.errors()[:50]
        ]
        raise BundleRefused(problems, 400) from None


def _text_of_name(names) -> str:
    for name in names or []:
        if name.get("text"):
            return name["text"].strip()
        parts = [*(name.get("given") or []), name.get("family") or ""]
        text = " ".join(p.strip() for p in parts if p and p.strip())
        if text:
            return text
    return ""


def _nhs_number(resource) -> tuple[str, int | None]:
    for index, identifier in enumerate(resource.get("identifier") or []):
        if identifier.get("system") == NHS_NUMBER_SYSTEM:
            return identifier.get("value") or "", index
    return "", None


def _telecom(resource, system: str) -> str:
    for telecom in resource.get("telecom") or []:
        if telecom.get("system") == system and telecom.get("value"):
            return telecom["value"]
    return ""


def _extension(resource, url: str):
    for extension in resource.get("extension") or []:
        if extension.get("url") == url:
            return extension
    return None


def _concept_text(concept) -> str:
    if not concept:
        return ""
    if concept.get("text"):
        return concept["text"]
    for coding in concept.get("coding") or []:
        if coding.get("display") or coding.get("code"):
            return coding.get("display") or coding.get("code")
    return ""


def _answer(answer) -> object:
    for key in ("valueString", "valueBoolean", "valueDate", "valueInteger", "valueDecimal"):
        if key in answer:
            return answer[key]
    if "valueCoding" in answer:
        return answer["valueCoding"].get("code", "")
    return None


class _Reader:
    """Reads one parsed Bundle; collects every problem before refusing, so the sender sees them all at once."""

    def __init__(self, bundle: dict):
        self.bundle = bundle
        self.entries = bundle.get("entry") or []
        self.problems: list[Problem] = []
        self.paths: dict[str, str] = {}

    def path(self, index: int, rest: str = "") -> str:
        return f"Bundle.entry[{index}].resource{rest}"

    def problem(self, path: str, message: str, code: str = "invalid") -> None:
        self.problems.append(Problem(path, message, code))

    def of_type(self, kind: str) -> list[tuple[int, dict]]:
        return [
            (i, e["resource"])
            for i, e in enumerate(self.entries)
            if (e.get("resource") or {}).get("resourceType") == kind
        ]

    def resolve(self, reference: dict | None, where: str, kinds: tuple[str, ...]) -> tuple[int, dict] | None:
        """The entry a reference points at (by fullUrl, or Type/id), or a problem at `where`."""
        target = (reference or {}).get("reference") or ""
        for index, entry in enumerate(self.entries):
            resource = entry.get("resource") or {}
            own = f"{resource.get('resourceType')}/{resource.get('id')}"
            if target and (entry.get("fullUrl") == target or own == target):
                if resource.get("resourceType") not in kinds:
                    self.problem(f"{where}.reference", f"Must refer to a {' or '.join(kinds)}")
                    return None
                return index, resource
        self.problem(f"{where}.reference", "Refer to a resource in this Bundle (its fullUrl)", "required")
        return None

    # --- the parts -------------------------------------------------------------------------------------------------

    def service_request(self) -> tuple[int, dict] | None:
        found = self.of_type("ServiceRequest")
        if len(found) != 1:
            self.problem("Bundle.entry", "Send exactly one ServiceRequest", "required")
            return None
        index, request = found[0]
        if request.get("status") != "active":
            self.problem(self.path(index, ".status"), "A new referral's ServiceRequest is active")
        if request.get("intent") not in ("order", "original-order", "proposal", "plan"):
            self.problem(self.path(index, ".intent"), "A referral's intent is order")
        return index, request

    def service(self, index: int, request: dict) -> Service | None:
        for n, performer in enumerate(request.get("performer") or []):
            identifier = performer.get("identifier") or {}
            if identifier.get("system") == SERVICE_SYSTEM:
                service = Service.objects.filter(slug=identifier.get("value") or "", is_active=True).first()
                if service is None:
                    self.problem(self.path(index, f".performer[{n}].identifier.value"), "Not a service of this system")
                return service
        self.problem(
            self.path(index, ".performer"),
            f"Name the service: a performer with an identifier of system {SERVICE_SYSTEM}",
            "required",
        )
        return None

    def key(self, index: int, request: dict) -> tuple[str, str]:
        identifier = self.bundle.get("identifier") or next(iter(request.get("identifier") or []), None) or {}
        if not identifier.get("system") or not identifier.get("value"):
            self.problem(
                "Bundle.identifier",
                "Give the Bundle (or its ServiceRequest) an identifier with system and value",
                "required",
            )
            return "", ""
        return identifier["system"][:255], identifier["value"][:255]

    def child(self, index: int, request: dict, data: dict) -> str | None:
        found = self.resolve(request.get("subject"), self.path(index, ".subject"), ("Patient",))
        if not found:
            return None
        at, patient = found
        data["child_name"] = _text_of_name(patient.get("name"))
        self.paths["child_name"] = self.path(at, ".name")
        number, n = _nhs_number(patient)
        data["child_nhs_number"] = number
        self.paths["child_nhs_number"] = self.path(at, f".identifier[{n}].value" if n is not None else ".identifier")
        expected = _extension(patient, EXPECTED_DELIVERY_URL)
        data["child_unborn"] = expected is not None
        self.paths["child_unborn"] = self.path(at, ".extension")
        if expected is not None:
            data["expected_delivery_date"] = expected.get("valueDate")
            self.paths["expected_delivery_date"] = self.path(at, ".extension.valueDate")
            if patient.get("birthDate"):
                self.problem(self.path(at, ".birthDate"), "An unborn baby has an expected date, not a birth date")
        else:
            data["child_date_of_birth"] = patient.get("birthDate")
            self.paths["child_date_of_birth"] = self.path(at, ".birthDate")
            if not patient.get("birthDate"):
                self.problem(
                    self.path(at, ".birthDate"),
                    f"Enter the child's birth date, or for an unborn baby the extension {EXPECTED_DELIVERY_URL}",
                    "required",
                )
        return (patient.get("id"), at)

    def parents(self, subject_at: int | None) -> list[dict]:
        people = [(i, r) for i, r in self.of_type("RelatedPerson")]
        people += [(i, r) for i, r in self.of_type("Patient") if i != subject_at]
        people.sort()
        if not people:
            self.problem("Bundle.entry", "Send a RelatedPerson (or Patient) for each parent or carer", "required")
        if len(people) > 2:
            self.problem(self.path(people[2][0]), "One or two parents or carers")
        parents = []
        for slot, (at, person) in enumerate(people[:2]):
            here = f"parents.{slot}."
            number, n = _nhs_number(person)
            address = next(iter(person.get("address") or []), {})
            lines = [*(address.get("line") or []), address.get("city") or ""]
            communication = next(iter(person.get("communication") or []), {})
            language = communication.get("language") or {}
            code = next((c.get("code", "") for c in language.get("coding") or [] if c.get("code")), "")
            interpreter = _extension(person, INTERPRETER_URL)
            ethnic = _extension(person, ETHNIC_CATEGORY_URL)
            relationship = _concept_text(next(iter(person.get("relationship") or []), None))
            parent = {
                "name": _text_of_name(person.get("name")),
                "relationship": relationship,
                "date_of_birth": person.get("birthDate"),
                "nhs_number": number,
                "address": ", ".join(line.strip() for line in lines if line and line.strip()),
                "postcode": address.get("postalCode") or "",
                "phone": _telecom(person, "phone"),
                "preferred_language": _concept_text(language) or "English",
                # A language we write letters in, by its code; any other: read from the text, or asked for.
                "letter_language": code.split("-")[0].lower() if languages.get(code.split("-")[0].lower()) else "",
                "interpreter_needed": bool(interpreter and interpreter.get("valueBoolean")),
            }
            if ethnic:
                parent["ethnic_category"] = next(
                    (c.get("code") for c in (ethnic.get("valueCodeableConcept") or {}).get("coding") or []), "Z"
                )
                self.paths[here + "ethnic_category"] = self.path(at, ".extension")
            for name, rest in {
                "name": ".name",
                "relationship": ".relationship",
                "date_of_birth": ".birthDate",
                "nhs_number": f".identifier[{n}].value" if n is not None else ".identifier",
                "address": ".address[0].line",
                "postcode": ".address[0].postalCode",
                "phone": ".telecom",
                "preferred_language": ".communication[0].language",
                "letter_language": ".communication[0].language.coding[0].code",
            }.items():
                self.paths[here + name] = self.path(at, rest)
            if not parent["name"]:
                self.problem(self.path(at, ".name"), "Enter the parent's or carer's name", "required")
            if not parent["date_of_birth"]:
                self.problem(self.path(at, ".birthDate"), "Enter the parent's or carer's date of birth", "required")
            parents.append(parent)
        return parents

    def referrer(self, index: int, request: dict, data: dict, service: Service | None) -> None:
        found = self.resolve(request.get("requester"), self.path(index, ".requester"), ("Practitioner",))
        if found:
            at, practitioner = found
            data["referrer_name"] = _text_of_name(practitioner.get("name"))
            data["referrer_contact"] = _telecom(practitioner, "phone") or _telecom(practitioner, "email")
            role = _concept_text((next(iter(practitioner.get("qualification") or []), {}) or {}).get("code"))
            data["referrer_role"] = role
            self.paths |= {
                "referrer_name": self.path(at, ".name"),
                "referrer_contact": self.path(at, ".telecom"),
                "referrer_role": self.path(at, ".qualification[0].code"),
            }
        organisations = self.of_type("Organization")
        if organisations:
            at, organisation = organisations[0]
            data["referrer_organisation"] = organisation.get("name") or ""
            self.paths["referrer_organisation"] = self.path(at, ".name")
        else:
            self.problem("Bundle.entry", "Send the referrer's Organization", "required")
        category = _concept_text(next(iter(request.get("category") or []), None))
        self.paths["referral_source"] = self.path(index, ".category[0]")
        if service is not None:
            source = ReferralSource.objects.filter(
                service=service, is_active=True, name__iexact=category.strip()
            ).first()
            if source is None:
                names = "; ".join(service.referral_sources.filter(is_active=True).values_list("name", flat=True))
                self.problem(self.path(index, ".category[0]"), f"Name the referral source, one of: {names}", "value")
            else:
                data["referral_source"] = source.pk
                data["referrer_role"] = data.get("referrer_role") or source.name

    def site(self, index: int, request: dict, data: dict, service: Service | None, postcode: str) -> None:
        self.paths["site"] = self.path(index, ".locationReference[0]")
        if service is None:
            return
        sites = list(service.sites.all())
        references = request.get("locationReference") or []
        if references:
            found = self.resolve(references[0], self.path(index, ".locationReference[0]"), ("Location",))
            if found:
                name = (found[1].get("name") or "").strip().lower()
                match = [s for s in sites if s.name.lower() == name]
                if match:
                    data["site"] = match[0].pk
                else:
                    self.problem(
                        self.path(found[0], ".name"),
                        f"Not a site of this service: {', '.join(s.name for s in sites)}",
                        "value",
                    )
            return
        covering = [s for s in sites if s.covers_postcode(postcode)] if postcode else []
        if len(sites) == 1:
            data["site"] = sites[0].pk
        elif len(covering) == 1:
            data["site"] = covering[0].pk
        else:
            self.problem(
                self.path(index, ".locationReference"),
                f"Name the site as a Location ({', '.join(s.name for s in sites)}): the postcode does not decide it",
                "required",
            )

    def answers(self, index: int, request: dict, data: dict, service: Service | None) -> None:
        found = self.of_type("QuestionnaireResponse")
        if len(found) > 1:
            self.problem(self.path(found[1][0]), "Send one QuestionnaireResponse")
        if not found:
            return
        at, response = found[0]
        keys = set(service.referral_questions.values_list("key", flat=True)) if service else set()
        answers: dict[str, str] = {}
        for n, item in enumerate(response.get("item") or []):
            link = item.get("linkId") or ""
            where = self.path(at, f".item[{n}]")
            values = [_answer(a) for a in item.get("answer") or []]
            values = [v for v in values if v not in (None, "")]
            if link not in REFERRAL_ITEMS and link not in keys:
                self.problem(f"{where}.linkId", "Not a question of this service", "value")
                continue
            self.paths[link] = f"{where}.answer"
            if link in keys:
                answers[link] = str(values[0]) if values else ""
                self.paths["question_answers"] = f"{where}.answer"
            if link in LIST_ITEMS:
                data[link] = [str(v) for v in values]
            elif link in BOOLEAN_ITEMS:
                data[link] = bool(values and values[0] is True)
            elif link in REFERRAL_ITEMS and values:
                data[link] = str(values[0])
        data["question_answers"] = answers


def read_bundle(body: dict) -> ReadBundle:
    """Read a FHIR referral Bundle into the referral API's input, or refuse naming every problem by FHIR path."""
    parse(body)
    reader = _Reader(body)
    if body.get("type") not in ("transaction", "collection", "document", "message"):
        reader.problem("Bundle.type", "Send a transaction (or collection) Bundle")
    data: dict = {"date_received": str(timezone.localdate())}
    found = reader.service_request()
    service, key, subject_at = None, ("", ""), None
    if found:
        index, request = found
        service = reader.service(index, request)
        key = reader.key(index, request)
        if request.get("authoredOn"):
            data["date_received"] = request["authoredOn"][:10]
        reader.paths["date_received"] = reader.path(index, ".authoredOn")
        child = reader.child(index, request, data)
        subject_at = child[1] if child else None
    parents = reader.parents(subject_at)
    data["parents"] = parents
    if found:
        reader.referrer(index, request, data, service)
        reader.site(index, request, data, service, parents[0]["postcode"] if parents else "")
        reader.answers(index, request, data, service)
        data.setdefault("safeguarding_status", "")
        if not data["safeguarding_status"]:
            reader.problem(
                "Bundle.entry",
                "Answer safeguarding_status in the QuestionnaireResponse (none_known, child_in_need, child_protection, "
                "looked_after)",
                "required",
            )
    if service is not None:
        data["service"] = service.slug
    if reader.problems:
        raise BundleRefused(reader.problems)
    return ReadBundle(data=data, paths=reader.paths, service=service, key=key, body_hash=body_hash(body))


def problems_from_errors(errors, paths: dict, prefix: str = "") -> list[Problem]:
    """The referral API's field errors (nested as DRF gives them) at the FHIR paths the values came from."""
    problems = []
    if isinstance(errors, dict):
        for name, inner in errors.items():
            problems += problems_from_errors(inner, paths, f"{prefix}{name}.")
    elif isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
        name = prefix.rstrip(".")
        path = paths.get(name) or paths.get(name.split(".")[0]) or "Bundle"
        problems += [Problem(path, str(message)) for message in errors]
    elif isinstance(errors, list):
        for index, inner in enumerate(errors):
            problems += problems_from_errors(inner, paths, f"{prefix}{index}.")
    else:
        problems.append(Problem(paths.get(prefix.rstrip("."), "Bundle"), str(errors)))
    return problems


def operation_outcome(problems: list[Problem]) -> dict:
    """An OperationOutcome with one issue per problem, each naming its FHIR path."""
    issues = [
        {"severity": "error", "code": p.code, "diagnostics": p.message[:1000], "expression": [p.path]} for p in problems
    ]
    return OperationOutcome(issue=issues).model_dump(mode="json", exclude_none=True)


def transaction_response(referral, *, created: bool, location: str) -> dict:
    """The answer to a referral Bundle: one entry saying where the referral is (its API address) and its status."""
    bundle = Bundle(
        type="transaction-response",
        entry=[
            {
                "response": {
                    "status": "201 Created" if created else "200 OK",
                    "location": location,
                    "etag": f'W/"{referral.pk}"',
                    "lastModified": referral.created_at.isoformat() if getattr(referral, "created_at", None) else None,
                }
            }
        ],
    )
    return bundle.model_dump(mode="json", exclude_none=True)


LETTER_KIND_DISPLAY = {
    "family": "Letter to the family",
    "referrer": "Letter to the referrer",
    "handover": "Handover to the health visitor",
    "decline": "Decline letter to the referrer",
}


def document_reference(letter, pdf: bytes, *, url: str) -> dict:
    """A ready letter as a FHIR R4 DocumentReference: the PDF attached (with its SHA-1, as FHIR's Attachment.hash
    is), the patient's NHS number, the author who approved it, the date, and the letter's kind coded."""
    referral = letter.referral
    subject = {"display": referral.child_name or "Unborn baby"}
    if referral.child_nhs_number:
        subject["identifier"] = {"system": NHS_NUMBER_SYSTEM, "value": referral.child_nhs_number}
    else:
        parent = referral.parents.order_by("order").first()
        if parent and parent.nhs_number:
            subject = {"identifier": {"system": NHS_NUMBER_SYSTEM, "value": parent.nhs_number}, "display": parent.name}
    author = letter.approved_by or letter.created_by
    created = letter.approved_at or letter.created_at
    resource = DocumentReference(
        id=str(letter.pk),
        status="current" if letter.is_current else "superseded",
        docStatus="final",
        type={
            "coding": [
                {"system": LETTER_KIND_SYSTEM, "code": letter.kind, "display": LETTER_KIND_DISPLAY.get(letter.kind, "")}
            ],
            "text": LETTER_KIND_DISPLAY.get(letter.kind, letter.kind),
        },
        subject=subject,
        date=created.isoformat(),
        author=[{"display": author.display_name}] if author else None,
        custodian={"display": referral.service.organisation},
        description=f"{LETTER_KIND_DISPLAY.get(letter.kind, letter.kind)}, version {letter.version}",
        content=[
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "language": "en",
                    "data": base64.b64encode(pdf).decode(),
                    "url": url,
                    "size": len(pdf),
                    "hash": base64.b64encode(hashlib.sha1(pdf).digest()).decode(),  # noqa: S324 - FHIR says SHA-1
                    "title": f"{referral.reference} {letter.kind} v{letter.version}.pdf",
                    "creation": created.isoformat(),
                }
            }
        ],
    )
    return resource.model_dump(mode="json", exclude_none=True)


def capability_statement(*, base: str) -> dict:
    """What this server does, and nothing more: accept a referral Bundle, read a letter as a DocumentReference."""
    statement = CapabilityStatement(
        status="active",
        date=timezone.now().isoformat(),
        kind="instance",
        publisher="VIG Service",
        description="Referrals in as a FHIR R4 transaction Bundle; ready letters out as DocumentReferences.",
        implementation={"description": "VIG Service FHIR R4 endpoint", "url": base},
        fhirVersion="4.0.1",
        format=["application/fhir+json", "json"],
        rest=[
            {
                "mode": "server",
                "documentation": (
                    "Authenticate as the rest of the API: Authorization: Token <token> (POST /api/v1/auth/token/). "
                    "POST a transaction Bundle to the base: one ServiceRequest (status active, intent order; "
                    f"performer.identifier {SERVICE_SYSTEM}|<service slug>; category = the referral source's name; "
                    "requester = a Practitioner; subject = the child's Patient, with birthDate, or for an unborn baby "
                    f"the extension {EXPECTED_DELIVERY_URL}; optional locationReference = a Location named as the "
                    "site); one or two RelatedPerson (or Patient) for the parents; the referrer's Organization; a "
                    "QuestionnaireResponse whose linkIds are the service's question keys and referral fields "
                    f"({', '.join(sorted(REFERRAL_ITEMS))}). NHS numbers as {NHS_NUMBER_SYSTEM} identifiers. The "
                    "Bundle's identifier (or the ServiceRequest's) makes a repeat return the first referral."
                ),
                "security": {
                    "description": "Token or a session that passed two-step sign-in; the referral.create "
                    "permission in the service named; a letter to those who may read it."
                },
                "resource": [
                    {
                        "type": "DocumentReference",
                        "interaction": [{"code": "read"}],
                        "documentation": "A ready letter (PDF attached) to those who may read the family's letters.",
                    }
                ],
                "interaction": [
                    {
                        "code": "transaction",
                        "documentation": "A referral Bundle; 201 with a transaction-response, 200 for a repeat.",
                    }
                ],
            }
        ],
    )
    return statement.model_dump(mode="json", exclude_none=True)
