"""The shipped readiness templates: Crossing's default checklist and the ML Test Score.

Milestones are concrete, checkable statements. The ML Test Score's 28 tests are after Breck,
Cai, Nielsen, Salib and Sculley, "The ML Test Score: A Rubric for ML Production Readiness and
Technical Debt Reduction" (IEEE Big Data 2017), in our own words.
"""

from django.db import migrations

P, R = "pilot", "production"

DEFAULT = [
    # (domain, key, required for, title, what counts as done)
    ("Compute orchestration", "automated-deploy", P,
     "Every deployment runs from a pipeline with no manual steps.",
     "Link to the pipeline definition and to the last three successful runs."),
    ("Compute orchestration", "autoscaling", R,
     "The service scales out and back in automatically under a load test at twice peak traffic.",
     "Load-test report showing replicas added and removed without errors."),
    ("Compute orchestration", "self-recovery", R,
     "Killing a serving instance is recovered automatically within five minutes, with no manual step.",
     "Record of the last failure drill: what was killed, when it was back."),
    ("Data pipeline", "ingestion-validation", P,
     "Every input batch is validated against a schema at ingestion and bad records are quarantined.",
     "Link to the schema and to the quarantine store; a sample rejection."),
    ("Data pipeline", "quality-alerts", R,
     "Data-quality checks alert the owning team within one hour of a failed check.",
     "Alert rule and the last alert received, with its timestamp."),
    ("Data pipeline", "late-missing-data", R,
     "Late and missing data are handled by a documented rule (wait, backfill or skip), exercised in the last 90 days.",
     "The rule, and the run where it was last applied."),
    ("Data pipeline", "lineage", R,
     "Each model version records the exact data snapshot it was trained on.",
     "Registry entry of the live model naming its data snapshot."),
    ("Model serving and versioning", "versioned-models", P,
     "Every model in production is versioned in a registry, with the code commit that built it.",
     "Registry link for the live version."),
    ("Model serving and versioning", "gradual-rollout", R,
     "New model versions are rolled out gradually (canary or percentage), with automatic halt on errors.",
     "Rollout configuration and the last rollout's log."),
    ("Model serving and versioning", "tested-rollback", R,
     "A rollback to the previous model version has been performed in the last 90 days and took under an hour.",
     "Date, duration and who performed it."),
    ("Security", "access-control", P,
     "Access to the model, its data and its endpoints is limited to named roles, reviewed in the last 6 months.",
     "The role list and the date of the last access review."),
    ("Security", "sensitive-data", P,
     "Sensitive data used by the system is classified and masked or minimised; a privacy review is signed off.",
     "Link to the data classification and the signed review."),
    ("Security", "audit-trail", R,
     "Every prediction that affects a person can be traced to the model version, input and time.",
     "A sample trace from production."),
    ("Security", "threat-model", R,
     "A threat model covering prompt or input manipulation and data poisoning has been reviewed by security.",
     "The threat model and the reviewer's sign-off."),
    ("Observability", "dashboards", P,
     "A dashboard shows traffic, latency, errors and prediction distribution, linked from the runbook.",
     "Dashboard link."),
    ("Observability", "alerts-before-users", R,
     "Alerts fire on latency, error rate and data drift before users notice; the last incident was detected by an alert.",
     "Alert rules and the last alert-detected incident."),
    ("Observability", "health-reports", R,
     "The system pushes health reports to Crossing at least daily.",
     "The initiative's health page shows reports for the last 7 days."),
    ("Testing", "unit-tests", P,
     "Feature and model code has unit tests that run on every change.",
     "CI link showing the tests run on the last change."),
    ("Testing", "integration-tests", R,
     "The pipeline from raw data to served prediction is tested end to end before each release.",
     "CI link of the last end-to-end run."),
    ("Testing", "benchmark-evaluation", P,
     "The model is evaluated on a curated benchmark set, versioned and reviewed by the business owner.",
     "Benchmark location, version and the last evaluation report."),
    ("Testing", "regression-tracking", R,
     "Evaluation scores are tracked per release and a drop beyond an agreed threshold blocks release.",
     "The threshold and the release gate's configuration."),
    ("Operations", "runbook", P,
     "A runbook covers restart, rollback, data backfill and whom to call, and was used in a drill.",
     "Runbook link and the drill date."),
    ("Operations", "on-call", R,
     "An on-call rota covers the system's service hours, with at least two people.",
     "Link to the rota."),
    ("Operations", "owner-accepted", R,
     "The production owner has accepted ownership in Crossing, confirming skills, mandate and budget.",
     "The accepted handover on the initiative page."),
]

ML_TEST_SCORE = [
    ("Data", "data-schema", "Expectations for every feature are written down in a schema and checked against the data."),
    ("Data", "data-features-beneficial", "Each feature has been shown to help the model; features that do not are removed."),
    ("Data", "data-feature-cost", "The cost of each feature (latency, memory, upstream dependencies) is known and justified."),
    ("Data", "data-meta-requirements", "Features meet the organisation's rules on which data may be used, and this is enforced."),
    ("Data", "data-privacy", "The data pipeline has privacy controls: access limits, masking and deletion on request."),
    ("Data", "data-new-features", "A new feature can go from idea to production within a few weeks."),
    ("Data", "data-feature-code-tested", "The code that computes every input feature has tests."),
    ("Model", "model-specs-reviewed", "Model definitions and training configuration are code-reviewed and kept in version control."),
    ("Model", "model-offline-online", "Offline metrics are shown to move with the online (business) metrics."),
    ("Model", "model-hyperparameters", "All hyperparameters have been tuned with a recorded method."),
    ("Model", "model-staleness", "How quality decays as the model ages is measured, so retraining frequency is known."),
    ("Model", "model-simple-baseline", "The model beats a simple baseline (e.g. a linear model or a rule) by a meaningful margin."),
    ("Model", "model-slices", "Quality is checked on important slices of the data, not only overall."),
    ("Model", "model-inclusion", "The model has been tested for unfair differences between groups of people."),
    ("Infrastructure", "infra-reproducible", "Training twice on the same data gives equivalent models."),
    ("Infrastructure", "infra-spec-unit-tests", "The model definition code has unit tests (e.g. a training step lowers the loss)."),
    ("Infrastructure", "infra-pipeline-integration", "The whole pipeline, from data to a served model, has an integration test."),
    ("Infrastructure", "infra-validate-before-serving", "A model's quality is checked automatically before it is allowed to serve."),
    ("Infrastructure", "infra-debuggable", "A single example can be traced through the model to see how the prediction was made."),
    ("Infrastructure", "infra-canary", "New models serve a small share of traffic (canary) before full rollout."),
    ("Infrastructure", "infra-rollback", "A serving model can be rolled back quickly and safely, and this has been done."),
    ("Monitoring", "mon-dependency-changes", "Changes in upstream data or services the model depends on notify the team."),
    ("Monitoring", "mon-data-invariants", "Data invariants hold for inputs in training and in serving, and breaches alert."),
    ("Monitoring", "mon-training-serving-skew", "Features are computed the same way in training and serving, and skew is monitored."),
    ("Monitoring", "mon-staleness", "The age of the serving model is monitored and alerts before it is too stale."),
    ("Monitoring", "mon-numerical-stability", "NaNs, infinities and other numerical failures in training and serving alert."),
    ("Monitoring", "mon-compute-performance", "Training speed, serving latency, throughput and memory are tracked for regressions."),
    ("Monitoring", "mon-prediction-quality", "Prediction quality in production is measured and regressions alert."),
]


def load(apps, schema_editor):
    Template = apps.get_model("initiatives", "ReadinessTemplate")
    Milestone = apps.get_model("initiatives", "ReadinessMilestone")
    default, _ = Template.objects.get_or_create(
        key="crossing-default",
        defaults={
            "name": "Crossing production readiness",
            "description": "The production disciplines every AI system needs before it runs "
            "unattended: orchestration, data, serving, security, observability, testing, "
            "operations.",
            "scoring": "share",
            "is_default": True,
        },
    )
    for order, (domain, key, required, title, done_when) in enumerate(DEFAULT):
        Milestone.objects.get_or_create(
            template=default,
            key=key,
            defaults={"domain": domain, "title": title, "done_when": done_when,
                      "required_for": required, "order": order},
        )
    mlts, _ = Template.objects.get_or_create(
        key="ml-test-score",
        defaults={
            "name": "ML Test Score",
            "description": "The 28 tests of Breck et al., 'The ML Test Score: A Rubric for ML "
            "Production Readiness and Technical Debt Reduction' (IEEE Big Data 2017), in four "
            "sections of seven. Half a point for a test done by hand, one for an automated "
            "one; the score is the lowest section.",
            "scoring": "ml_test_score",
        },
    )
    for order, (domain, key, title) in enumerate(ML_TEST_SCORE):
        Milestone.objects.get_or_create(
            template=mlts,
            key=key,
            defaults={"domain": domain, "title": title,
                      "done_when": "Evidence that the test is in place: a link to the check "
                      "or a note saying how it is done. Say whether it runs by hand or "
                      "automatically.",
                      "required_for": "production", "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0007_readiness")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
