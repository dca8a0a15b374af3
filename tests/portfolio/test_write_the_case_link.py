"""A new initiative's page: "Write the business case" opens the form itself, not an empty
list with a second button."""

import re

import pytest
from django.urls import reverse

from initiatives.core.choices import BusinessCaseStatus
from tests.factories import BusinessCaseFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def write_links(page: str) -> list[str]:
    return re.findall(r'<a[^>]*href="([^"]+)"[^>]*>\s*Write the business case\s*</a>', page)


def test_write_the_business_case_opens_the_form_for_the_team(initiative, contributor):
    client = client_for(contributor)
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert write_links(page) == [reverse("business-case-create", args=[initiative.slug])]
    form = client.get(write_links(page)[0])
    assert form.status_code == 200
    assert form.templates[0].name == "initiatives/business_case_form.html"


def test_the_pilot_gate_links_write_the_business_case_to_the_form(initiative, contributor):
    response = client_for(contributor).get(reverse("initiative-transition", args=[initiative.slug]))
    # From idea the next move is proof of concept; the link shows once the case is asked for.
    assert "Write the business case" not in response.content.decode()
    initiative.stage = "poc"
    initiative.save()
    page = (
        client_for(contributor)
        .get(reverse("initiative-transition", args=[initiative.slug]))
        .content.decode()
    )
    assert write_links(page) == [reverse("business-case-create", args=[initiative.slug])]


def test_a_viewer_is_not_offered_to_write_the_case(initiative, viewer):
    page = client_for(viewer).get(initiative.get_absolute_url()).content.decode()
    assert "Write the business case" not in page
    assert "No approved business case." in page


def test_once_a_case_exists_the_page_links_to_its_versions(initiative, contributor):
    BusinessCaseFactory(initiative=initiative, status=BusinessCaseStatus.DRAFT)
    page = client_for(contributor).get(initiative.get_absolute_url()).content.decode()
    assert write_links(page) == []
    assert reverse("business-case-list", args=[initiative.slug]) in page
