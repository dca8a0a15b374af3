"""Navigation shows where you are; breadcrumbs name things (never slugs), from one include."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from initiatives.core.choices import BusinessCaseStatus
from tests.factories import BusinessCaseFactory, EmailRecordFactory, InitiativeFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def current_in_nav(page: str) -> list[tuple[str, str]]:
    """(aria-current, text) of the main navigation's marked links."""
    nav = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="[^"]*" aria-current="(\w+)">([^<]+)</a>', nav)


def crumbs(page: str) -> str:
    return page.split('<nav aria-label="Breadcrumb" class="crumbs">', 1)[1].split("</nav>")[0]


@pytest.fixture
def fraud(db):
    return InitiativeFactory(slug="fraud-scoring-7", name="Fraud scoring")


def test_the_list_is_the_current_page_of_initiatives(viewer):
    page = client_for(viewer).get(reverse("initiative-list")).content.decode()
    assert current_in_nav(page) == [("page", "Initiatives")]


@pytest.mark.parametrize(
    "url_name", ["initiative-detail", "readiness", "business-case-list", "initiative-edit"]
)
def test_pages_of_an_initiative_are_in_the_initiatives_section(fraud, staff, url_name):
    page = client_for(staff).get(reverse(url_name, args=[fraud.slug])).content.decode()
    assert current_in_nav(page) == [("true", "Initiatives")]


@pytest.mark.parametrize(
    ("url_name", "section"),
    [("portfolio", "Portfolio"), ("my-work", "My work"), ("governance-queue", "Governance queue")],
)
def test_each_section_marks_itself(reviewer, url_name, section):
    page = client_for(reviewer).get(reverse(url_name)).content.decode()
    assert current_in_nav(page) == [("page", section)]


def test_an_email_is_in_the_email_section(reviewer):
    email = EmailRecordFactory()
    page = client_for(reviewer).get(reverse("email-detail", args=[email.pk])).content.decode()
    assert current_in_nav(page) == [("true", "E-mails")]


def test_the_initiative_page_names_it_in_the_breadcrumb_not_its_slug(fraud, viewer):
    page = client_for(viewer).get(fraud.get_absolute_url()).content.decode()
    trail = crumbs(page)
    assert '<a href="/initiatives/">Initiatives</a>' in trail
    assert '<span aria-current="page">Fraud scoring</span>' in trail
    assert "fraud-scoring-7" not in trail


def test_the_checklist_trail_links_the_initiative_by_name(fraud, viewer):
    page = client_for(viewer).get(reverse("readiness", args=[fraud.slug])).content.decode()
    trail = crumbs(page)
    assert f'<a href="{fraud.get_absolute_url()}">Fraud scoring</a>' in trail
    assert '<span aria-current="page">Readiness</span>' in trail


def test_a_business_case_trail_leads_back_to_its_versions(fraud, viewer):
    case = BusinessCaseFactory(initiative=fraud, status=BusinessCaseStatus.APPROVED)
    page = client_for(viewer).get(case.get_absolute_url()).content.decode()
    trail = crumbs(page)
    assert f'<a href="{fraud.get_absolute_url()}">Fraud scoring</a>' in trail
    assert f'<a href="{reverse("business-case-list", args=[fraud.slug])}">Business case</a>' in (
        trail
    )
    assert "aria-current" not in trail  # the heading names the version


def test_a_form_under_an_initiative_leads_back_to_it(fraud, staff):
    page = client_for(staff).get(reverse("initiative-edit", args=[fraud.slug])).content.decode()
    assert f'<a href="{fraud.get_absolute_url()}">Fraud scoring</a>' in crumbs(page)


def test_every_breadcrumb_is_the_one_include():
    """Pages do not write their own trail."""
    own = [
        str(path)
        for path in Path("templates").rglob("*.html")
        if 'class="crumbs"' in path.read_text() and path.name != "_crumbs.html"
    ]
    assert own == []
