"""The classification derived from the shipped questionnaire's answers (README "Regulation"):
each case from the issue, asserting the category, the articles cited and what the
obligations read from the `Outcome`."""

import pytest
from django.core.exceptions import ValidationError

from initiatives.regulation import selectors
from initiatives.regulation.derivation import Chosen, derive, validate_effect
from initiatives.regulation.outcome import (
    ANNEX_III,
    DEPLOYER,
    HIGH_RISK,
    MINIMAL,
    PROHIBITED,
    PROVIDER,
    TRANSPARENCY,
    Outcome,
)
from initiatives.regulation.questionnaire import clean_answers
from tests.support.regulation import answers

pytestmark = pytest.mark.django_db


def classify(**given) -> Outcome:
    questions = selectors.questions()
    return derive(selectors.chosen(clean_answers(answers(**given), questions), questions))


def articles(outcome: Outcome) -> list[str]:
    return [article for article, _ in outcome.reasons]


def test_cv_screening_for_hiring_is_high_risk_under_annex_iii_4a_for_its_provider():
    outcome = classify(role="provider", annex_iii="p4a")

    assert outcome.category == HIGH_RISK
    assert (outcome.role, outcome.high_risk_basis, outcome.annex_point) == (
        PROVIDER,
        ANNEX_III,
        "4(a)",
    )
    assert articles(outcome) == ["Art. 3(3)", "Art. 6(2), Annex III 4(a)"]
    assert "recruiting or selecting people" in outcome.reasons[1][1]
    assert not outcome.fundamental_rights_assessment  # a provider: Art. 27 is a deployer's
    assert outcome.transparency == ()
    assert not outcome.gpai_provider


def test_credit_scoring_by_a_bank_deploying_a_vendors_model_brings_art_27():
    outcome = classify(role="deployer", annex_iii="p5b")

    assert outcome.category == HIGH_RISK
    assert (outcome.role, outcome.high_risk_basis, outcome.annex_point) == (
        DEPLOYER,
        ANNEX_III,
        "5(b)",
    )
    assert outcome.fundamental_rights_assessment
    assert articles(outcome) == ["Art. 3(4)", "Art. 6(2), Annex III 5(b)", "Art. 27"]


def test_a_customer_service_chatbot_has_the_art_50_1_duty_only():
    outcome = classify(role="deployer", interacts="yes")

    assert outcome.category == TRANSPARENCY
    assert outcome.transparency == ("50(1)",)
    assert outcome.high_risk_basis is None
    assert articles(outcome) == ["Art. 3(4)", "Art. 50(1)"]
    assert "told they are interacting with an AI system" in outcome.reasons[1][1]


def test_social_scoring_is_prohibited_and_nothing_else_is_listed():
    outcome = classify(role="provider", prohibited_c="yes", interacts="yes", gpai="yes")

    assert outcome.category == PROHIBITED
    assert articles(outcome) == ["Art. 3(3)", "Art. 5(1)(c)"]
    assert "social scoring" in outcome.reasons[1][1]
    assert outcome.transparency == ()
    assert not outcome.gpai_provider


def test_a_spam_filter_is_minimal_risk():
    outcome = classify(role="deployer")

    assert outcome.category == MINIMAL
    assert outcome.high_risk_basis is None
    assert articles(outcome) == ["Art. 3(4)", "Art. 4"]


def test_an_annex_iii_system_under_an_art_6_3_exception_is_not_high_risk():
    outcome = classify(role="provider", annex_iii="p4a", exceptions=["preparatory"])

    assert outcome.category == MINIMAL
    assert outcome.high_risk_basis is None
    assert outcome.annex_point == ""
    assert articles(outcome) == ["Art. 3(3)", "Art. 6(2), Annex III 4(a)", "Art. 6(3)", "Art. 4"]
    assert "documents this assessment (Art. 6(4))" in outcome.reasons[2][1]


def test_the_same_system_profiling_people_is_high_risk_again():
    outcome = classify(
        role="provider", annex_iii="p4a", exceptions=["preparatory"], profiling="yes"
    )

    assert outcome.category == HIGH_RISK
    assert (outcome.high_risk_basis, outcome.annex_point) == (ANNEX_III, "4(a)")
    assert articles(outcome) == ["Art. 3(3)", "Art. 6(2), Annex III 4(a)", "Art. 6(3)"]
    assert "exceptions do not apply" in outcome.reasons[2][1]


def test_a_high_risk_chatbot_has_both_duties_and_a_public_deployer_assesses_rights():
    outcome = classify(role="deployer", annex_iii="p5a", interacts="yes", public_service="yes")

    assert outcome.category == HIGH_RISK
    assert outcome.transparency == ("50(1)",)
    assert outcome.fundamental_rights_assessment
    assert "Art. 27" in articles(outcome)


def test_critical_infrastructure_brings_no_art_27_even_for_a_public_body():
    outcome = classify(role="deployer", annex_iii="p2", public_service="yes")

    assert outcome.category == HIGH_RISK
    assert not outcome.fundamental_rights_assessment


def test_an_annex_i_product_is_high_risk_and_a_gpai_provider_has_art_53():
    outcome = classify(role="provider", annex_i="yes", gpai="yes", synthetic_content="yes")

    assert (outcome.category, outcome.high_risk_basis, outcome.annex_point) == (
        HIGH_RISK,
        "annex_i",
        "",
    )
    assert outcome.gpai_provider
    assert outcome.transparency == ("50(2)",)
    assert articles(outcome) == ["Art. 3(3)", "Art. 6(1), Annex I", "Art. 50(2)", "Art. 53"]


def test_without_a_role_there_is_no_result():
    with pytest.raises(ValueError, match="role"):
        derive([Chosen("interacts", "Chats?", "Art. 50(1)", "Yes", "transparency:50(1)")])


@pytest.mark.parametrize(
    "effect", ["prohibited:5(1)(i)", "annex_iii:9(a)", "transparency:50(5)", "high_risk", "x"]
)
def test_an_effect_the_derivation_cannot_read_is_refused(effect):
    with pytest.raises(ValidationError):
        validate_effect(effect)


def test_every_shipped_option_has_an_effect_the_derivation_reads():
    for question in selectors.questions():
        for option in question.options.all():
            validate_effect(option.effect)
