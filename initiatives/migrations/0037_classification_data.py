"""The shipped EU AI Act questionnaire (README "Regulation"). The admin edits it afterwards;
this migration only loads the first set, and leaves questions an administrator changed alone
when reversed (it removes only the keys it created)."""

from django.db import migrations


PROHIBITED = [
    (
        "a",
        "Does the system use subliminal, manipulative or deceptive techniques that distort "
        "people's behaviour in a way that causes, or is likely to cause, them significant harm?",
    ),
    (
        "b",
        "Does the system exploit people's vulnerabilities due to their age, a disability or "
        "their social or economic situation, to distort their behaviour in a harmful way?",
    ),
    (
        "c",
        "Does the system score people on their social behaviour or personal traits (social "
        "scoring) in a way that leads to unjustified or unrelated unfavourable treatment?",
    ),
    (
        "d",
        "Does the system predict whether a person will commit a crime based only on profiling "
        "or on their personality traits?",
    ),
    (
        "e",
        "Does the system build or expand a facial recognition database by untargeted scraping "
        "of facial images from the internet or CCTV footage?",
    ),
    (
        "f",
        "Does the system infer the emotions of people at work or in education (other than for "
        "medical or safety reasons)?",
    ),
    (
        "g",
        "Does the system categorise people by their biometric data to infer their race, "
        "political opinions, trade union membership, religion, sex life or sexual orientation?",
    ),
    (
        "h",
        "Does the system identify people remotely, in real time, from biometric data in "
        "publicly accessible spaces for law enforcement?",
    ),
]

ANNEX_III = [
    ("1(a)", "1. Biometrics — (a) remote biometric identification of people"),
    ("1(b)", "1. Biometrics — (b) biometric categorisation by sensitive or protected attributes"),
    ("1(c)", "1. Biometrics — (c) emotion recognition"),
    (
        "2",
        "2. Critical infrastructure — a safety component in the management or operation of "
        "digital infrastructure, road traffic, or the supply of water, gas, heating or electricity",
    ),
    ("3(a)", "3. Education — (a) deciding access or admission to education or training"),
    ("3(b)", "3. Education — (b) evaluating learning outcomes"),
    ("3(c)", "3. Education — (c) assessing the level of education a person will receive"),
    ("3(d)", "3. Education — (d) monitoring students for prohibited behaviour during tests"),
    (
        "4(a)",
        "4. Employment — (a) recruiting or selecting people: targeted job ads, screening or "
        "filtering applications, evaluating candidates",
    ),
    (
        "4(b)",
        "4. Employment — (b) decisions on promotion, termination or task allocation, or "
        "monitoring and evaluating workers' performance and behaviour",
    ),
    (
        "5(a)",
        "5. Essential services — (a) deciding eligibility for public assistance benefits and "
        "services (healthcare included)",
    ),
    (
        "5(b)",
        "5. Essential services — (b) evaluating creditworthiness or setting a credit score "
        "(not fraud detection)",
    ),
    (
        "5(c)",
        "5. Essential services — (c) risk assessment and pricing for life and health insurance",
    ),
    (
        "5(d)",
        "5. Essential services — (d) evaluating or classifying emergency calls, or dispatching "
        "emergency services and patient triage",
    ),
    ("6(a)", "6. Law enforcement — (a) assessing the risk of a person becoming a crime victim"),
    ("6(b)", "6. Law enforcement — (b) polygraphs and similar tools"),
    ("6(c)", "6. Law enforcement — (c) evaluating the reliability of evidence"),
    (
        "6(d)",
        "6. Law enforcement — (d) assessing the risk of (re-)offending, not only by profiling",
    ),
    ("6(e)", "6. Law enforcement — (e) profiling in detecting, investigating or prosecuting crime"),
    ("7(a)", "7. Migration, asylum, border control — (a) polygraphs and similar tools"),
    (
        "7(b)",
        "7. Migration, asylum, border control — (b) assessing security, irregular-migration or "
        "health risks of people entering",
    ),
    (
        "7(c)",
        "7. Migration, asylum, border control — (c) examining applications for asylum, visas or "
        "residence permits",
    ),
    (
        "7(d)",
        "7. Migration, asylum, border control — (d) detecting, recognising or identifying people "
        "(not checking travel documents)",
    ),
    (
        "8(a)",
        "8. Justice and democracy — (a) helping a judicial authority research and interpret "
        "facts and the law, or apply the law",
    ),
    (
        "8(b)",
        "8. Justice and democracy — (b) influencing the outcome of an election or referendum, "
        "or how people vote",
    ),
]

# (key, section, text, help text, article, kind, options [(key, label, effect)])
QUESTIONS = [
    (
        "role",
        "Your organisation's role",
        "What is your organisation's role for this system?",
        "The provider develops the system (or has it developed) and puts it on the market or "
        "into service under its own name. A deployer uses a system under its authority, "
        "e.g. a vendor's model in its own process.",
        "Art. 3(3), 3(4)",
        "one",
        [
            ("provider", "We develop it and put it into service under our name", "role:provider"),
            ("deployer", "We use a system someone else provides", "role:deployer"),
            ("both", "Both: we build it and use it ourselves", "role:both"),
        ],
    ),
    *[
        (
            f"prohibited_{letter}",
            "Prohibited practices",
            text,
            "Answer yes if this is what the system does or is meant to do, even in part.",
            f"Art. 5(1)({letter})",
            "yes_no",
            [("no", "No", ""), ("yes", "Yes", f"prohibited:5(1)({letter})")],
        )
        for letter, text in PROHIBITED
    ],
    (
        "annex_i",
        "Products (Annex I)",
        "Is the system a product, or a safety component of a product, covered by the EU product "
        "safety laws listed in Annex I that needs a third-party conformity assessment?",
        "For example machinery, toys, lifts, radio equipment, medical or in vitro diagnostic "
        "devices, vehicles, aircraft. Ask your product compliance team when in doubt.",
        "Art. 6(1), Annex I",
        "yes_no",
        [("no", "No", ""), ("yes", "Yes", "annex_i")],
    ),
    (
        "annex_iii",
        "High-risk uses (Annex III)",
        "Which of these uses does the system serve, if any?",
        "Choose the one that fits best; choose “None of these” when none applies.",
        "Art. 6(2), Annex III",
        "one",
        [
            *[(f"p{p.replace('(', '').replace(')', '')}", label, f"annex_iii:{p}") for p, label in ANNEX_III],
            ("none", "None of these", ""),
        ],
    ),
    (
        "exceptions",
        "High-risk uses (Annex III)",
        "If you chose a use above: does one of these describe everything the system does?",
        "These exceptions mean the system does not materially influence the outcome of a "
        "decision. Choose “None of these” when no use applies or none describes it.",
        "Art. 6(3)",
        "several",
        [
            (
                "narrow_procedural",
                "It performs a narrow procedural task (e.g. turns unstructured data into "
                "structured data, sorts documents into categories)",
                "exception_6_3:narrow_procedural",
            ),
            (
                "improve_completed",
                "It improves the result of an activity a person has already completed",
                "exception_6_3:improve_completed",
            ),
            (
                "detect_patterns",
                "It detects decision patterns or deviations from them, without replacing or "
                "influencing the human assessment without proper human review",
                "exception_6_3:detect_patterns",
            ),
            (
                "preparatory",
                "It performs a preparatory task to an assessment made by a person",
                "exception_6_3:preparatory",
            ),
            ("none", "None of these", ""),
        ],
    ),
    (
        "profiling",
        "High-risk uses (Annex III)",
        "Does the system profile people: evaluate or predict their work performance, economic "
        "situation, health, preferences, interests, reliability, behaviour, location or movements?",
        "A system that profiles natural persons is always high-risk when it serves an Annex III "
        "use: the exceptions above never apply to it.",
        "Art. 6(3)",
        "yes_no",
        [("no", "No", ""), ("yes", "Yes", "profiling")],
    ),
    (
        "interacts",
        "Transparency",
        "Does the system talk or chat with people directly (a chatbot, a voice assistant)?",
        "",
        "Art. 50(1)",
        "yes_no",
        [("no", "No", ""), ("yes", "Yes", "transparency:50(1)")],
    ),
    (
        "synthetic_content",
        "Transparency",
        "Does the system generate synthetic audio, images, video or text?",
        "",
        "Art. 50(2)",
        "yes_no",
        [("no", "No", ""), ("yes", "Yes", "transparency:50(2)")],
    ),
    (
        "emotion_biometric",
        "Transparency",
        "Does the system recognise emotions or categorise people from biometric data?",
        "",
        "Art. 50(3)",
        "yes_no",
        [("no", "No", ""), ("yes", "Yes", "transparency:50(3)")],
    ),
    (
        "deep_fake",
        "Transparency",
        "Does the system create or change images, audio or video that look real (deep fakes), "
        "or text published to inform the public?",
        "",
        "Art. 50(4)",
        "yes_no",
        [("no", "No", ""), ("yes", "Yes", "transparency:50(4)")],
    ),
    (
        "gpai",
        "General-purpose AI",
        "Does your organisation develop or provide a general-purpose AI model (one trained on "
        "broad data that can do many different tasks) as part of this system?",
        "Using someone else's model through their service does not make you its provider.",
        "Art. 51-55",
        "yes_no",
        [("no", "No", ""), ("yes", "Yes", "gpai")],
    ),
    (
        "public_service",
        "Public bodies and services",
        "Is your organisation a public body, or a private organisation providing public "
        "services (e.g. education, healthcare, social services, housing)?",
        "As a deployer of a high-risk system, such an organisation assesses the impact on "
        "fundamental rights before first use.",
        "Art. 27",
        "yes_no",
        [("no", "No", ""), ("yes", "Yes", "fria_public_service")],
    ),
]


def load(apps, schema_editor):
    Question = apps.get_model("initiatives", "Question")
    Option = apps.get_model("initiatives", "Option")
    for order, (key, section, text, help_text, article, kind, options) in enumerate(QUESTIONS):
        question, created = Question.objects.get_or_create(
            key=key,
            defaults={
                "section": section,
                "text": text,
                "help_text": help_text,
                "article": article,
                "kind": kind,
                "order": (order + 1) * 10,
            },
        )
        if created:
            Option.objects.bulk_create(
                Option(question=question, key=k, label=label, effect=effect, order=i)
                for i, (k, label, effect) in enumerate(options)
            )


def unload(apps, schema_editor):
    apps.get_model("initiatives", "Question").objects.filter(
        key__in=[q[0] for q in QUESTIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0036_classification")]

    operations = [migrations.RunPython(load, unload)]
