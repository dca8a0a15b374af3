"""The shipped EU AI Act obligations (README "Regulation"): the application dates by regime
and the obligations, each a milestone of the `eu-ai-act` template, required for production.

Regulation (EU) 2024/1689. The dates are Art. 113's; the law may still move them, so they
are data the admin edits, as is every title, done-when and article below. Titles and
done-when are in our own plain words, for a team that must act on them, not the law's text.
"""

import datetime

from django.db import migrations

NOTE = (
    "Regulation (EU) 2024/1689, Art. 113. A later act may move this date (the Commission "
    "has proposed postponing some high-risk rules); edit it here when the law changes, and "
    "every system it applies to moves with it."
)

DATES = [
    # (regime, label, applies from)
    ("prohibitions_and_literacy", "Prohibited practices and AI literacy (Art. 4, 5)",
     datetime.date(2025, 2, 2)),
    ("gpai", "General-purpose AI models (Art. 51-55)", datetime.date(2025, 8, 2)),
    ("annex_iii", "High-risk systems listed in Annex III", datetime.date(2026, 8, 2)),
    ("transparency", "Transparency duties (Art. 50)", datetime.date(2026, 8, 2)),
    ("annex_i", "High-risk systems under Annex I (products)", datetime.date(2027, 8, 2)),
]

# (key, article, applies to, role, Art. 50 paragraph, regime (None: the high-risk basis's),
#  title, done when)
OBLIGATIONS = [
    ("ai-act-art-4", "Art. 4", "everyone", "any", "", "prohibitions_and_literacy",
     "Everyone who builds, runs or uses the system has the AI literacy their role needs.",
     "A training record: who was trained, on what (the system's capabilities, limits and "
     "risks) and when; refreshed when the system changes materially."),
    ("ai-act-art-9", "Art. 9", "high_risk", "provider", "", None,
     "A risk management process identifies, estimates and reduces the risks the system poses "
     "to health, safety and fundamental rights, and is kept up to date over its life.",
     "The risk register: each risk, its mitigation and residual risk, the tests behind it, "
     "and the date of the last review."),
    ("ai-act-art-10", "Art. 10", "high_risk", "provider", "", None,
     "Training, validation and test data are governed: relevant, representative, examined "
     "for bias, with their origin and preparation written down.",
     "A data sheet per data set: source, collection, preparation, known gaps, and the bias "
     "examination with its results."),
    ("ai-act-art-11", "Art. 11", "high_risk", "provider", "", None,
     "The technical documentation (Annex IV) is written before release and kept up to date.",
     "A link to the Annex IV documentation and its version history."),
    ("ai-act-art-12", "Art. 12", "high_risk", "provider", "", None,
     "The system logs its events automatically over its lifetime, so what it did can be "
     "traced, including situations that may present a risk.",
     "The logging specification and a sample log showing the period of use, the input "
     "checked and who verified the results."),
    ("ai-act-art-13", "Art. 13", "high_risk", "provider", "", None,
     "Instructions for use tell deployers the system's purpose, accuracy, limits, "
     "human-oversight measures and how to read its output.",
     "A link to the instructions for use as deployers receive them."),
    ("ai-act-art-14", "Art. 14", "high_risk", "provider", "", None,
     "People can oversee the system effectively: understand its limits, avoid over-reliance, "
     "and override or stop it.",
     "The oversight design (who, with which tools, how to override or stop) and the record "
     "of a tested override."),
    ("ai-act-art-15", "Art. 15", "high_risk", "provider", "", None,
     "The system meets its declared accuracy and resists errors and attacks (data poisoning, "
     "adversarial input), with a fallback when it fails.",
     "The accuracy figures declared in the instructions, and the robustness and security "
     "test reports."),
    ("ai-act-art-17", "Art. 17", "high_risk", "provider", "", None,
     "A written quality management system covers design, testing, data management, "
     "post-market monitoring, incident reporting and who is accountable for each.",
     "A link to the quality management procedures, naming who is accountable for each."),
    ("ai-act-art-43", "Art. 43", "high_risk", "provider", "", None,
     "The system has passed the conformity assessment that applies to it (internal control, "
     "or a notified body) before release.",
     "The conformity assessment report, or the notified body's certificate."),
    ("ai-act-art-47", "Art. 47", "high_risk", "provider", "", None,
     "An EU declaration of conformity is drawn up, signed and kept for ten years.",
     "The signed declaration (the Annex V content) and where it is kept."),
    ("ai-act-art-48", "Art. 48", "high_risk", "provider", "", None,
     "The CE marking is shown on the system, its packaging or its documentation (digitally "
     "for a system that is only digital).",
     "Where the marking appears, with a screenshot or photo."),
    ("ai-act-art-49", "Art. 49", "high_risk", "provider", "", None,
     "The system is registered in the EU database before release.",
     "The EU database registration number and date."),
    ("ai-act-art-72", "Art. 72", "high_risk", "provider", "", None,
     "A post-market monitoring plan collects and analyses how the system performs in use, "
     "for as long as it is in use.",
     "The monitoring plan and the last monitoring report."),
    ("ai-act-art-73", "Art. 73", "high_risk", "provider", "", None,
     "Serious incidents are reported to the market surveillance authority within the legal "
     "deadlines (15 days at most), by a procedure the team has tried.",
     "The reporting procedure, who reports, and the record of the last drill or report."),
    ("ai-act-art-26", "Art. 26", "high_risk", "deployer", "", None,
     "The system is used as its provider instructs, overseen by trained people, fed relevant "
     "input, monitored, its logs kept at least six months, and workers and the people "
     "affected are told.",
     "The named overseers and their training, the monitoring routine, the log retention "
     "setting, and the notice given to workers or the people affected."),
    ("ai-act-art-27", "Art. 27", "fundamental_rights", "deployer", "", None,
     "A fundamental-rights impact assessment is done before first use, and the market "
     "surveillance authority is told its results.",
     "The assessment (the process, who is affected, the risks, the oversight, the remedies) "
     "and the notification sent."),
    ("ai-act-art-50-1", "Art. 50(1)", "transparency", "provider", "50(1)", "transparency",
     "People are told they are talking to an AI system, unless it is obvious.",
     "A screenshot or the text of the notice shown when the interaction starts."),
    ("ai-act-art-50-2", "Art. 50(2)", "transparency", "provider", "50(2)", "transparency",
     "Audio, images, video and text the system generates are marked, machine-readably, as "
     "artificially generated.",
     "The marking technique (watermark, metadata, content credentials) and a detection test "
     "on a sample output."),
    ("ai-act-art-50-3", "Art. 50(3)", "transparency", "deployer", "50(3)", "transparency",
     "People exposed to emotion recognition or biometric categorisation are told so, and "
     "their personal data is processed lawfully.",
     "The notice the people exposed see, and the data-protection basis."),
    ("ai-act-art-50-4", "Art. 50(4)", "transparency", "deployer", "50(4)", "transparency",
     "Deep fakes, and generated text published to inform the public, are disclosed as "
     "artificially generated or manipulated.",
     "The disclosure as published, and the editorial review rule for text."),
    ("ai-act-art-53", "Art. 53", "gpai", "any", "", "gpai",
     "As provider of a general-purpose AI model: documentation for the AI Office and for "
     "downstream providers, a copyright policy, and a public summary of the training content.",
     "Links to the model documentation (Annexes XI and XII), the copyright policy and the "
     "published training-content summary."),
]

# After every template's own milestones, so the domain comes last on a checklist.
FIRST_ORDER = 1000


def load(apps, schema_editor):
    Template = apps.get_model("initiatives", "ReadinessTemplate")
    Milestone = apps.get_model("initiatives", "ReadinessMilestone")
    ApplicationDate = apps.get_model("initiatives", "ApplicationDate")
    Obligation = apps.get_model("initiatives", "Obligation")
    dates = {}
    for regime, label, applies_from in DATES:
        dates[regime], _ = ApplicationDate.objects.get_or_create(
            regime=regime, defaults={"label": label, "applies_from": applies_from, "note": NOTE}
        )
    template, _ = Template.objects.get_or_create(
        key="eu-ai-act",
        defaults={
            "name": "EU AI Act obligations",
            "description": "The obligations of Regulation (EU) 2024/1689 an initiative's "
            "classification brings onto its checklist. Not offered as a template: each "
            "obligation joins a checklist when it applies.",
            "scoring": "share",
            "is_default": False,
            "offered": False,
        },
    )
    for order, (key, article, applies_to, role, paragraph, regime, title, done_when) in enumerate(
        OBLIGATIONS, start=FIRST_ORDER
    ):
        milestone, _ = Milestone.objects.get_or_create(
            template=template,
            key=key,
            defaults={"domain": "EU AI Act", "title": title, "done_when": done_when,
                      "required_for": "production", "order": order},
        )
        Obligation.objects.get_or_create(
            milestone=milestone,
            defaults={"article": article, "applies_to": applies_to, "role": role,
                      "paragraph": paragraph,
                      "application_date": dates[regime] if regime else None},
        )


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0034_oblig")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
