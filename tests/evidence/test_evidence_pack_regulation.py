"""The evidence pack of a classified system: the confirmed EU AI Act classification with its
answers and articles, every obligation it brought with its article, its evidence link, and a
waived legal obligation shown as one — in the PDF an auditor is given, read back with pypdf,
and in the API."""

import io
import re

import pypdf
import pytest
from django.urls import reverse

from initiatives.core.choices import MilestoneStatus, Stage
from initiatives.models import ApplicableObligation
from initiatives.readiness import services as readiness_services
from initiatives.regulation import services as regulation_services
from tests.support.clients import api_client_for
from tests.support.readiness import shipped_crosswalk, shipped_obligations
from tests.support.regulation import answers

pytestmark = pytest.mark.django_db

RISK_MANAGEMENT_EVIDENCE = "https://wiki.example.com/cv-screening/risk-management-system?v=2"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def classified(initiative, contributor, reviewer):
    """Fraud scoring, reclassified as CV screening for hiring (Annex III 4(a), provider),
    confirmed by a reviewer off the team; Art. 9 done with a link, Art. 10 waived."""
    shipped_crosswalk()
    shipped_obligations()
    initiative.stage = Stage.PILOT
    initiative.save()
    version = regulation_services.classification_submit(
        initiative=initiative, actor=contributor, answers=answers(role="provider", annex_iii="p4a")
    )
    regulation_services.classification_confirm(
        classification=version, actor=reviewer, comment="Hiring use: Annex III 4(a)."
    )
    obligations = {
        o.milestone.obligation.article: o.milestone
        for o in ApplicableObligation.objects.filter(initiative=initiative).select_related(
            "milestone__obligation"
        )
    }
    readiness_services.milestone_update(
        initiative=initiative,
        actor=contributor,
        key=obligations["Art. 9"].key,
        status=MilestoneStatus.DONE,
        evidence_url=RISK_MANAGEMENT_EVIDENCE,
    )
    readiness_services.milestone_waive(
        initiative=initiative,
        actor=reviewer,
        key=obligations["Art. 10"].key,
        justification="The training data is the vendor's, governed under their Art. 10 duty.",
    )
    return initiative, obligations


def test_the_pdf_holds_the_classification_every_obligation_its_evidence_and_a_legal_waiver(
    classified, viewer, as_user
):
    initiative, obligations = classified
    response = as_user(viewer).get(reverse("evidence-pack-pdf", args=[initiative.slug]))

    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = _squash("".join(page.extract_text() for page in reader.pages))
    assert _squash("Not classified yet") not in text
    for words in (
        "High-risk (version 1)",
        "Annex III 4(a)",
        "Provider",
        "Hiring use: Annex III 4(a).",
        "Legal obligation waived",
        "The training data is the vendor's, governed under their Art. 10 duty.",
        RISK_MANAGEMENT_EVIDENCE,
    ):
        assert _squash(words) in text, words
    assert len(obligations) >= 15  # Art. 4, 9-15, 17, 43, 47-49, 72, 73
    for article, milestone in obligations.items():
        assert _squash(f"{article} {milestone.title}") in text, article


def test_the_api_pack_gives_the_classification_and_marks_obligations(classified, viewer):
    initiative, obligations = classified
    pack = (
        api_client_for(viewer).get(f"/api/v1/initiatives/{initiative.slug}/evidence-pack/").json()
    )

    sections = pack["sections"]
    classification = sections["classification"]
    assert classification["classified"] is True
    assert classification["summary"] == "High-risk (version 1)"
    facts = {fact["label"]: fact for fact in classification["facts"]}
    assert facts["Category"]["value"] == "High-risk"
    assert facts["Confirmed by"]["value"].endswith("Hiring use: Annex III 4(a).")
    assert any(f["label"] == "Why" and f["article"] for f in classification["facts"])
    by_article = {e["article"]: e for e in sections["milestones"]["entries"] if e["article"]}
    assert set(by_article) == set(obligations)
    assert by_article["Art. 9"]["evidence_url"] == RISK_MANAGEMENT_EVIDENCE
    assert by_article["Art. 9"]["applies_from"] == "2026-08-02"
    waived = [e["decision"] for e in sections["waivers"]["entries"] if e["article"] == "Art. 10"]
    assert waived == ["waived"]
