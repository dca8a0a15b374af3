"""The classification, derived from the answers (README "Regulation"): never typed.

Pure: `derive` reads only the machine `effect` of each chosen option, with the words of the
question and the option for the reasons it gives. The effects (an option's `effect` field):

    role:provider | role:deployer | role:both     the organisation's role (Art. 3(3), 3(4))
    prohibited:5(1)(a) ... prohibited:5(1)(h)     a prohibited practice (Art. 5)
    annex_i                                       a product or safety component (Art. 6(1))
    annex_iii:1(a) ... annex_iii:8(b)             an Annex III area and point (Art. 6(2))
    exception_6_3:<condition>                     an Art. 6(3) condition holds
    profiling                                     the system profiles natural persons
    transparency:50(1) ... transparency:50(4)     an Art. 50 situation
    gpai                                          provides a general-purpose AI model
    fria_public_service                           a public body or provider of public services
    (empty)                                       no effect ("no", "none of these")
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from initiatives.regulation.outcome import (
    ANNEX_I,
    ANNEX_III,
    BOTH,
    DEPLOYER,
    HIGH_RISK,
    MINIMAL,
    PROHIBITED,
    PROVIDER,
    TRANSPARENCY,
    Outcome,
)

EXCEPTION_CONDITIONS = ("narrow_procedural", "improve_completed", "detect_patterns", "preparatory")
_EFFECT = re.compile(
    r"^(?:role:(?:provider|deployer|both)"
    r"|prohibited:5\(1\)\([a-h]\)"
    r"|annex_i"
    r"|annex_iii:[1-8](?:\([a-e]\))?"
    rf"|exception_6_3:(?:{'|'.join(EXCEPTION_CONDITIONS)})"
    r"|profiling"
    r"|transparency:50\([1-4]\)"
    r"|gpai"
    r"|fria_public_service)$"
)


def validate_effect(value: str) -> None:
    if value and not _EFFECT.match(value):
        raise ValidationError(
            "Not an effect the derivation reads: use e.g. role:provider, prohibited:5(1)(c), "
            "annex_i, annex_iii:4(a), exception_6_3:preparatory, profiling, transparency:50(1), "
            "gpai or fria_public_service (empty for none)."
        )


@dataclass(frozen=True)
class Chosen:
    """One chosen option, as the derivation needs it."""

    question: str  # the question's key
    question_text: str
    article: str  # the question's article
    label: str  # the option's words
    effect: str


# What each Art. 50 paragraph asks of the provider or deployer, in a sentence.
TRANSPARENCY_DUTIES = {
    "50(1)": "people must be told they are interacting with an AI system",
    "50(2)": "synthetic audio, image, video or text must be marked as artificially generated",
    "50(3)": "people exposed to emotion recognition or biometric categorisation must be told",
    "50(4)": "deep fakes must be disclosed as artificially generated or manipulated",
}
ROLE_ARTICLES = {PROVIDER: "Art. 3(3)", DEPLOYER: "Art. 3(4)", BOTH: "Art. 3(3), 3(4)"}
ROLE_WORDS = {
    PROVIDER: "the provider",
    DEPLOYER: "a deployer",
    BOTH: "both the provider and a deployer",
}
# Art. 27(1): a fundamental rights impact assessment for the deployers of these points,
# whoever they are.
FRIA_POINTS = ("5(b)", "5(c)")


def _said(chosen: Chosen) -> str:
    return f"“{chosen.question_text}” — {chosen.label}"


def _value(effect: str) -> str:
    return effect.partition(":")[2]


def derive(answers: Iterable[Chosen]) -> Outcome:
    """The category, role, basis, duties and the reasons (article, sentence) that led there.

    Any Art. 5 practice makes the system prohibited (and nothing else is listed). Otherwise
    Annex I, or an Annex III point, makes it high-risk, unless (Annex III only) an Art. 6(3)
    condition holds and the system does not profile natural persons. Art. 50 duties apply
    whatever the category; `category` names the most severe. Raises ValueError when the
    role is not answered.
    """
    chosen = [c for c in answers if c.effect]
    by_kind: dict[str, list[Chosen]] = {}
    for c in chosen:
        by_kind.setdefault(c.effect.partition(":")[0], []).append(c)

    roles = by_kind.get("role", [])
    if not roles:
        raise ValueError("The organisation's role (provider, deployer or both) is not answered.")
    role = _value(roles[0].effect)
    reasons = [(ROLE_ARTICLES[role], f"{_said(roles[0])}: the organisation is {ROLE_WORDS[role]}.")]

    prohibited = by_kind.get("prohibited", [])
    if prohibited:
        reasons += [
            (
                f"Art. {_value(c.effect)}",
                f"{_said(c)}: a prohibited practice; the system may not be placed on the "
                "market, put into service or used.",
            )
            for c in prohibited
        ]
        return Outcome(category=PROHIBITED, role=role, reasons=tuple(reasons))

    basis, point = None, ""
    annex_iii = by_kind.get("annex_iii", [])
    if annex_iii:
        area = annex_iii[0]
        point = _value(area.effect)
        exceptions = by_kind.get("exception_6_3", [])
        profiling = by_kind.get("profiling", [])
        if exceptions and not profiling:
            reasons.append(
                (
                    f"Art. 6(2), Annex III {point}",
                    f"{_said(area)}: an Annex III use, which is high-risk unless an Art. 6(3) "
                    "exception applies.",
                )
            )
            reasons += [
                (
                    "Art. 6(3)",
                    f"{_said(c)}: the system does not materially influence decisions, so it is "
                    "not high-risk; the provider documents this assessment (Art. 6(4)).",
                )
                for c in exceptions
            ]
            point = ""
        else:
            basis = ANNEX_III
            reasons.append(
                (f"Art. 6(2), Annex III {point}", f"{_said(area)}: high-risk (Annex III {point}).")
            )
            if exceptions:
                reasons.append(
                    (
                        "Art. 6(3)",
                        f"{_said(profiling[0])}: a system that profiles natural persons is "
                        "always high-risk; the Art. 6(3) exceptions do not apply.",
                    )
                )
    for c in by_kind.get("annex_i", []):
        reasons.append(
            (
                "Art. 6(1), Annex I",
                f"{_said(c)}: high-risk as a product, or a product's safety component, under "
                "the Union harmonisation legislation of Annex I.",
            )
        )
        if basis is None:
            basis = ANNEX_I
        # An Annex III point as well keeps its basis: its duties apply a year earlier.

    transparency = tuple(sorted({_value(c.effect) for c in by_kind.get("transparency", [])}))
    for c in sorted(by_kind.get("transparency", []), key=lambda c: c.effect):
        duty = TRANSPARENCY_DUTIES[_value(c.effect)]
        reasons.append((f"Art. {_value(c.effect)}", f"{_said(c)}: {duty}."))

    gpai = bool(by_kind.get("gpai"))
    if gpai:
        reasons.append(
            (
                "Art. 53",
                f"{_said(by_kind['gpai'][0])}: the provider of a general-purpose AI model has "
                "the Art. 53 duties (documentation, copyright policy, training-data summary).",
            )
        )

    fria = False
    if basis == ANNEX_III and role in (DEPLOYER, BOTH):
        public = by_kind.get("fria_public_service", [])
        if point in FRIA_POINTS:
            fria = True
            reasons.append(
                (
                    "Art. 27",
                    f"A deployer of an Annex III {point} system assesses the impact on "
                    "fundamental rights before first use.",
                )
            )
        elif public and not point.startswith("2"):
            fria = True
            reasons.append(
                (
                    "Art. 27",
                    f"{_said(public[0])}: as a public body or provider of public services, the "
                    "deployer assesses the impact on fundamental rights before first use.",
                )
            )

    if basis is not None:
        category = HIGH_RISK
    elif transparency:
        category = TRANSPARENCY
    else:
        category = MINIMAL
        reasons.append(
            (
                "Art. 4",
                "No prohibited practice, no high-risk use and no transparency situation: "
                "minimal risk. AI literacy (Art. 4) applies to everyone.",
            )
        )
    return Outcome(
        category=category,
        role=role,
        high_risk_basis=basis,
        annex_point=point if basis == ANNEX_III else "",
        transparency=transparency,
        gpai_provider=gpai,
        fundamental_rights_assessment=fria,
        reasons=tuple(reasons),
    )
