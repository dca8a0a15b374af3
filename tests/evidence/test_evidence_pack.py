"""The evidence pack (README "Evidence pack"): HTML, PDF and API with the same content; the
PDF read back with pypdf; a fingerprint that is stable for the same content and changes
with any change; nothing fetched over the network; queries constant in the pack's size."""

import hashlib
import io
import json
import re
import socket
from datetime import timedelta

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import (
    BusinessCaseStatus,
    HandoverStatus,
    MilestoneStatus,
    PromotionStatus,
    Stage,
    WaiverDecision,
)
from initiatives.evidence import selectors
from initiatives.evidence.pdf import LocalOnlyFetcher, render_pdf
from initiatives.models import MilestoneRecord, ReadinessMilestone
from initiatives.portfolio.selectors import initiative_by_slug
from tests.factories import (
    BusinessCaseFactory,
    InitiativeEventFactory,
    MilestoneRecordFactory,
    OwnershipHandoverFactory,
    PromotionRequestFactory,
    UserFactory,
)
from tests.support.clients import api_client_for
from tests.support.readiness import shipped_crosswalk

pytestmark = pytest.mark.django_db

EVIDENCE = {
    "automated-deploy": "https://ci.example.com/fraud-scoring/pipelines/1842",
    "access-control": "https://wiki.example.com/fraud/access-review-2026?rev=3&lang=en",
    "unit-tests": "https://ci.example.com/fraud-scoring/tests",
}


@pytest.fixture
def pack_initiative(initiative, contributor, reviewer, owner):
    """Fraud scoring in pilot: three milestones done with links, one waived after a
    request, a business case approved by governance, an accepted handover, a promotion."""
    template = shipped_crosswalk()
    initiative.stage = Stage.PILOT
    initiative.production_owner = owner
    initiative.owner_accepted_at = timezone.now() - timedelta(days=3)
    initiative.save()
    milestones = {m.key: m for m in template.milestones.all()}
    for key, url in EVIDENCE.items():
        MilestoneRecordFactory(
            initiative=initiative,
            milestone=milestones[key],
            status=MilestoneStatus.DONE,
            evidence_url=url,
            updated_by=contributor,
        )
    MilestoneRecordFactory(
        initiative=initiative,
        milestone=milestones["threat-model"],
        status=MilestoneStatus.WAIVED,
        justification="The platform's threat model covers this service.",
        updated_by=reviewer,
        waiver_requested_at=timezone.now() - timedelta(days=2),
        waiver_requested_by=contributor,
        waiver_request_reason="Covered centrally.",
        waiver_decision=WaiverDecision.GRANTED,
        waiver_decided_by=reviewer,
        waiver_decided_at=timezone.now() - timedelta(days=1),
    )
    BusinessCaseFactory(
        initiative=initiative,
        version=1,
        status=BusinessCaseStatus.APPROVED,
        created_by=contributor,
        submitted_by=contributor,
        submitted_at=timezone.now() - timedelta(days=5),
        reviewed_by=reviewer,
        reviewed_at=timezone.now() - timedelta(days=4),
        review_comment="Figures check out against finance's model.",
    )
    OwnershipHandoverFactory(
        initiative=initiative,
        to_owner=owner,
        requested_by=contributor,
        status=HandoverStatus.ACCEPTED,
        decided_at=timezone.now() - timedelta(days=3),
        confirms_skills=True,
        confirms_mandate=True,
        confirms_budget=True,
    )
    PromotionRequestFactory(
        initiative=initiative,
        requested_by=contributor,
        note="Ready for production.",
        status=PromotionStatus.APPROVED,
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
        review_comment="Evidence reviewed.",
    )
    InitiativeEventFactory(initiative=initiative, actor=contributor)
    return initiative


def _pack(initiative, **kwargs):
    return selectors.evidence_pack(initiative_by_slug(initiative.slug), **kwargs)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_holds_the_classification_slot_every_milestone_and_every_evidence_link(
    pack_initiative, viewer, as_user
):
    response = as_user(viewer).get(reverse("evidence-pack-pdf", args=[pack_initiative.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="evidence-pack-')
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = _squash("".join(page.extract_text() for page in reader.pages))
    assert _squash("EU AI Act classification") in text
    assert _squash("Not classified yet") in text
    for milestone in ReadinessMilestone.objects.filter(template__is_default=True):
        assert _squash(milestone.title) in text, milestone.key
    for url in EVIDENCE.values():
        assert _squash(url) in text
    uris = {
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    }
    assert set(EVIDENCE.values()) <= uris
    assert _squash("The platform's threat model covers this service.") in text
    assert _squash("Figures check out against finance's model.") in text
    assert response["X-Evidence-Fingerprint"] in text


def test_the_html_page_and_the_api_give_the_same_fingerprint_of_the_same_content(
    pack_initiative, viewer, as_user
):
    page = as_user(viewer).get(reverse("evidence-pack", args=[pack_initiative.slug]))
    api = api_client_for(viewer).get(
        reverse("api:evidence-pack-list", kwargs={"initiative_slug": pack_initiative.slug})
    )

    assert page.status_code == api.status_code == 200
    body = api.json()
    canonical = json.dumps(
        {"initiative": body["initiative"], "sections": body["sections"]},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert body["fingerprint"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert body["fingerprint"] in page.content.decode()
    assert body["sections"]["classification"]["summary"] == "Not classified yet"
    entries = {e["key"]: e for e in body["sections"]["milestones"]["entries"]}
    assert entries["access-control"]["evidence_url"] == EVIDENCE["access-control"]
    assert entries["access-control"]["recorded_by"].endswith("(contributor)")
    assert "MEASURE 2.7" in entries["access-control"]["frameworks"]
    [waiver] = body["sections"]["waivers"]["entries"]
    assert waiver["decision"] == "waived"
    assert waiver["decided_by"].endswith("(reviewer)")
    [case] = body["sections"]["business_cases"]["entries"]
    assert case["status"] == "approved"
    assert case["reviewed_by"].endswith("(reviewer)")
    [handover] = body["sections"]["acceptance"]["handovers"]
    assert handover["confirms_budget"] is True
    assert body["sections"]["promotions"]["promotions"][0]["review_comment"] == (
        "Evidence reviewed."
    )
    assert body["sections"]["history"]["events"]


def test_two_packs_of_the_same_content_have_the_same_fingerprint(pack_initiative):
    first = _pack(pack_initiative, now=timezone.now())
    later = _pack(pack_initiative, now=timezone.now() + timedelta(hours=5))

    assert first.generated_at != later.generated_at
    assert first.fingerprint == later.fingerprint
    assert re.fullmatch(r"[0-9a-f]{64}", first.fingerprint)


@pytest.mark.parametrize(
    "change",
    [
        "evidence_note",
        "review_comment",
        "event",
        "owner_name",
    ],
)
def test_any_change_to_the_content_changes_the_fingerprint(pack_initiative, owner, change):
    before = _pack(pack_initiative).fingerprint
    if change == "evidence_note":
        MilestoneRecord.objects.filter(
            initiative=pack_initiative, milestone__key="unit-tests"
        ).update(evidence_note="Also the nightly run.")
    elif change == "review_comment":
        pack_initiative.business_cases.update(review_comment="Figures check out.")
    elif change == "event":
        InitiativeEventFactory(initiative=pack_initiative)
    else:
        owner.first_name = "Olga"
        owner.save()

    assert _pack(pack_initiative).fingerprint != before


def test_the_pdf_fetches_nothing_over_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the evidence pack opened a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    fetcher = LocalOnlyFetcher()
    html = (
        '<!doctype html><html lang="en"><head><title>t</title>'
        '<link rel="stylesheet" href="https://cdn.example.com/x.css"></head>'
        '<body><p>Evidence</p><img src="http://192.0.2.1/pixel.png" alt="">'
        '<img src="file:///etc/passwd" alt=""></body></html>'
    )

    pdf = render_pdf(html, fetcher=fetcher)

    assert pdf.startswith(b"%PDF")
    assert set(fetcher.refused) == {
        "https://cdn.example.com/x.css",
        "http://192.0.2.1/pixel.png",
        "file:///etc/passwd",
    }


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_pack_takes_the_same_queries_however_much_it_holds(
    pack_initiative, contributor, reviewer, viewer, as_user
):
    client = as_user(viewer)
    url = reverse("evidence-pack", args=[pack_initiative.slug])
    before = _queries(client, url)

    others = [UserFactory() for _ in range(3)]
    records = pack_initiative.milestone_records
    for n, milestone in enumerate(
        ReadinessMilestone.objects.filter(template__is_default=True).exclude(
            records__initiative=pack_initiative
        )[:6]
    ):
        MilestoneRecordFactory(
            initiative=pack_initiative,
            milestone=milestone,
            status=MilestoneStatus.DONE,
            evidence_note=f"Evidence {n}",
            updated_by=others[n % 3],
        )
    assert records.count() == 10
    for n in range(2, 5):
        BusinessCaseFactory(
            initiative=pack_initiative, version=n, created_by=others[n % 3], reviewed_by=reviewer
        )
    for person in others:
        InitiativeEventFactory(initiative=pack_initiative, actor=person)
        PromotionRequestFactory(
            initiative=pack_initiative, requested_by=person, status=PromotionStatus.REJECTED
        )
        OwnershipHandoverFactory(
            initiative=pack_initiative,
            to_owner=person,
            requested_by=person,
            status=HandoverStatus.DECLINED,
        )

    assert _queries(client, url) == before
