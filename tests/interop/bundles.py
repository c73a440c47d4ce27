"""FHIR R4 referral Bundles as a health visitor's or GP's system would send them, for each seed service."""

import copy
from datetime import date, timedelta

from accounts.models import Service
from interop.fhir import EXPECTED_DELIVERY_URL, NHS_NUMBER_SYSTEM, SERVICE_SYSTEM

FHIR_URL = "/api/fhir/R4/"
CHILD_NHS = "9990000018"
MOTHER_NHS = "9990000026"
FATHER_NHS = "9990000034"


def _postcode(service: Service, site) -> str:
    prefixes = [p.strip() for p in site.postcode_prefixes.split(",") if p.strip()]
    return f"{prefixes[0]} 1AA" if prefixes else "DT1 1AA"


def nhs(value: str) -> list[dict]:
    return [{"system": NHS_NUMBER_SYSTEM, "value": value}] if value else []


def referral_bundle(
    service: Service, *, key: str = "hv-referral-0001", unborn: bool = False, two_parents: bool = False
) -> dict:
    """A typical referral to `service`: its first site and source, its questions answered, the child (or unborn
    baby) with NHS number, the mother (and father), the referring health visitor and their organisation."""
    site = service.sites.order_by("name").first()
    source = service.referral_sources.filter(is_active=True).order_by("name").first()
    today = date.today()
    child = {
        "resourceType": "Patient",
        "identifier": [] if unborn else nhs(CHILD_NHS),
        "name": [{"given": ["Baby"], "family": "Example"}],
    }
    if unborn:
        child["extension"] = [{"url": EXPECTED_DELIVERY_URL, "valueDate": str(today + timedelta(days=60))}]
    else:
        child["birthDate"] = str(today - timedelta(days=70))
    mother = {
        "resourceType": "RelatedPerson",
        "identifier": nhs(MOTHER_NHS),
        "patient": {"reference": "urn:uuid:child"},
        "relationship": [{"text": "Mother"}],
        "name": [{"given": ["Jane"], "family": "Example"}],
        "birthDate": "1992-05-17",
        "telecom": [{"system": "phone", "value": "01234 567890"}],
        "address": [{"line": ["1 Test Street"], "city": "Testtown", "postalCode": _postcode(service, site)}],
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}], "text": "English"}}],
    }
    entries = [
        {
            "fullUrl": "urn:uuid:request",
            "resource": {
                "resourceType": "ServiceRequest",
                "identifier": [{"system": "https://hv-system.example/referrals", "value": key}],
                "status": "active",
                "intent": "order",
                "category": [{"text": source.name}],
                "subject": {"reference": "urn:uuid:child"},
                "requester": {"reference": "urn:uuid:referrer"},
                "performer": [{"identifier": {"system": SERVICE_SYSTEM, "value": service.slug}}],
                "locationReference": [{"reference": "urn:uuid:site"}],
                "authoredOn": str(today - timedelta(days=1)),
                "supportingInfo": [{"reference": "urn:uuid:answers"}],
            },
        },
        {"fullUrl": "urn:uuid:child", "resource": child},
        {"fullUrl": "urn:uuid:mother", "resource": mother},
        {
            "fullUrl": "urn:uuid:referrer",
            "resource": {
                "resourceType": "Practitioner",
                "name": [{"given": ["Helen"], "family": "Visitor"}],
                "telecom": [{"system": "phone", "value": "01234 000000"}],
                "qualification": [{"code": {"text": "Health visitor"}}],
            },
        },
        {
            "fullUrl": "urn:uuid:organisation",
            "resource": {"resourceType": "Organization", "name": "Test health visiting team"},
        },
        {"fullUrl": "urn:uuid:site", "resource": {"resourceType": "Location", "name": site.name}},
        {
            "fullUrl": "urn:uuid:answers",
            "resource": {
                "resourceType": "QuestionnaireResponse",
                "status": "completed",
                "item": [
                    {"linkId": "safeguarding_status", "answer": [{"valueCoding": {"code": "none_known"}}]},
                    {"linkId": "concerns", "answer": [{"valueCoding": {"code": "bonding"}}]},
                    {"linkId": "attachment_concerns", "answer": [{"valueString": "Finds it hard to read cues."}]},
                    {"linkId": "mental_health_concerns", "answer": [{"valueString": "Postnatal depression."}]},
                    {"linkId": "parent_consented_to_referral", "answer": [{"valueBoolean": True}]},
                    *(
                        {"linkId": q.key, "answer": [{"valueString": f"Answer to {q.key}."}]}
                        for q in service.referral_questions.all()
                    ),
                ],
            },
        },
    ]
    if two_parents:
        father = copy.deepcopy(mother)
        father.update(identifier=nhs(FATHER_NHS), relationship=[{"text": "Father"}], birthDate="1990-01-02")
        father["name"] = [{"given": ["John"], "family": "Example"}]
        entries.append({"fullUrl": "urn:uuid:father", "resource": father})
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def resource(bundle: dict, kind: str) -> dict:
    """The first resource of this type in the Bundle (to change it in a test)."""
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def post_bundle(client, bundle, **headers):
    return client.post(FHIR_URL, bundle, content_type="application/fhir+json", headers=headers)
