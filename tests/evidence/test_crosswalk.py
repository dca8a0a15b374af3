"""The shipped cross-walk (README "Frameworks"): every milestone of the default template is
mapped to real NIST AI RMF 1.0 subcategories and ISO/IEC 42001 Annex A controls; mappings
to milestones that do not exist yet are skipped and loaded later; the milestone page shows
what a milestone gives evidence for."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from initiatives.core.choices import Framework
from initiatives.evidence.crosswalk import shipped
from initiatives.evidence.services import crosswalk_load
from initiatives.models import CrosswalkLink, CrosswalkSource, FrameworkItem, ReadinessMilestone
from tests.factories.readiness import ReadinessMilestoneFactory, ReadinessTemplateFactory
from tests.support.readiness import shipped_crosswalk

pytestmark = pytest.mark.django_db

NIST_CODE = re.compile(r"^(GOVERN|MAP|MEASURE|MANAGE) \d\.\d{1,2}$")
ISO_CODE = re.compile(r"^A\.\d{1,2}\.\d(\.\d)?$")


def test_the_migration_ships_every_nist_subcategory_and_iso_annex_a_control_with_its_source():
    shipped_crosswalk()
    nist = FrameworkItem.objects.filter(framework=Framework.NIST_AI_RMF)
    iso = FrameworkItem.objects.filter(framework=Framework.ISO_42001)
    assert nist.count() == 72  # GOVERN 19, MAP 18, MEASURE 22, MANAGE 13
    assert iso.count() == 38
    assert all(NIST_CODE.match(code) for code in nist.values_list("code", flat=True))
    assert all(ISO_CODE.match(code) for code in iso.values_list("code", flat=True))
    assert nist.get(code="MEASURE 2.7").title.startswith("AI system security and resilience")
    assert iso.get(code="A.6.2.6").title == "AI system operation and monitoring"
    nist_source = CrosswalkSource.objects.get(key="nist-ai-rmf-1.0")
    assert (nist_source.version, nist_source.published.isoformat()) == ("1.0", "2023-01-26")
    assert CrosswalkSource.objects.get(key="iso-iec-42001-2023").published.year == 2023
    assert {link.source.key for link in CrosswalkLink.objects.select_related("source")} == {
        "crossing-crosswalk"
    }


def test_every_default_milestone_gives_evidence_for_both_frameworks():
    template = shipped_crosswalk()
    for milestone in template.milestones.all():
        frameworks = set(milestone.framework_items.values_list("framework", flat=True))
        assert frameworks == {Framework.NIST_AI_RMF, Framework.ISO_42001}, milestone.key


def test_the_mapping_names_only_items_it_ships():
    data = shipped()
    codes = {(i["framework"], i["code"]) for i in data["items"]}
    for row in data["links"]:
        for framework in Framework.values:
            assert {(framework, c) for c in row.get(framework, [])} <= codes, row


def test_obligation_mappings_wait_for_their_milestones_and_load_when_they_exist():
    shipped_crosswalk()
    first = crosswalk_load()
    assert "eu-ai-act/art-9" in first.skipped
    assert first.links_created == 0  # the migration loaded the rest already

    obligations = ReadinessTemplateFactory(key="eu-ai-act", name="EU AI Act obligations")
    art9 = ReadinessMilestoneFactory(template=obligations, key="art-9", title="Risk management")
    out = StringIO()
    call_command("load_crosswalk", stdout=out)

    assert set(art9.framework_items.values_list("code", flat=True)) == {
        "GOVERN 1.3",
        "MAP 5.1",
        "MANAGE 1.2",
        "MANAGE 1.3",
        "A.5.2",
        "A.6.1.3",
    }
    assert "6 new links" in out.getvalue()
    assert "eu-ai-act/art-9" not in out.getvalue()
    # Loading again adds nothing and keeps what the admin changed.
    CrosswalkLink.objects.filter(milestone=art9, item__code="MAP 5.1").delete()
    item = FrameworkItem.objects.get(code="A.5.2")
    added = ReadinessMilestone.objects.get(template__is_default=True, key="runbook")
    CrosswalkLink.objects.create(milestone=added, item=item, source=item.source)
    again = crosswalk_load()
    assert again.items_created == 0
    assert again.links_created == 1  # the deleted shipped link, back
    assert CrosswalkLink.objects.filter(milestone=added, item=item).exists()


def test_a_bad_mapping_loads_nothing():
    shipped_crosswalk()
    data = shipped()
    data["links"].append(
        {"template": "crossing-default", "milestone": "runbook", "iso-42001": ["A.99"]}
    )
    CrosswalkLink.objects.all().delete()
    with pytest.raises(KeyError):
        crosswalk_load(data=data)
    assert not CrosswalkLink.objects.exists()


def test_the_milestone_page_shows_the_items_it_gives_evidence_for(initiative, viewer, as_user):
    shipped_crosswalk()
    response = as_user(viewer).get(reverse("milestone", args=[initiative.slug, "audit-trail"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Evidence for frameworks" in html
    assert "MEASURE 2.8" in html
    assert "A.6.2.8" in html
    assert "AI system recording of event logs" in html
    assert reverse("initiative-frameworks", args=[initiative.slug]) in html
