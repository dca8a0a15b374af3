"""Writing value reports (README "Value realisation"): one quarter at a time from the form or
the API, many at once from a CSV file; every write checked against the approved business case
and the system's time in production, permission-checked, atomic and on the timeline."""

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from initiatives.core import permissions
from initiatives.core.choices import EventKind
from initiatives.core.writes import initiative_event_create, lock_initiative, require, save
from initiatives.portfolio.models import Initiative
from initiatives.value import figures, selectors
from initiatives.value.figures import Quarter
from initiatives.value.importing import ImportFailed, RowError
from initiatives.value.models import INPUT_FIELDS, ValueReport, ValueReporterGrant

NOT_ALLOWED = "Only the initiative's team (or a client granted it) may report its value."


def check_quarter(
    *, initiative: Initiative, quarter: Quarter, currency: str | None, on: date | None = None
):
    """Refuse what cannot be reported: no approved business case; a currency other than the
    case's (on `currency`); a quarter not yet ended, or one the system was not in production
    (on `quarter`). Returns the approved case. Three queries at most."""
    on = on or selectors.today()
    case = selectors.approved_cases([initiative.pk]).get(initiative.pk)
    if case is None:
        raise ValidationError(
            "This initiative has no approved business case: there is no plan to report against."
        )
    errors = {}
    if currency is not None and currency != case.currency:
        errors["currency"] = (
            f"Report in {case.currency}, the approved business case's currency "
            f"(version {case.version}); {currency or 'no currency'} was given."
        )
    if quarter.last_day >= on:
        errors["quarter"] = (
            f"{quarter} has not ended yet (it ends {quarter.last_day:%d %b %Y}); report it "
            "once it is over."
        )
    else:
        periods = selectors.periods_of([initiative])[initiative.pk]
        if not figures.days_in_production(quarter, periods):
            errors["quarter"] = f"The system was not in production in {quarter}."
    if errors:
        raise ValidationError(errors)
    return case


def _write(
    *, initiative: Initiative, actor: AbstractBaseUser, quarter: Quarter, data: dict, source: str
) -> tuple[ValueReport, bool]:
    case = check_quarter(initiative=initiative, quarter=quarter, currency=data.get("currency"))
    # A report without a currency is in the case's: the only one it may be in.
    data = {**data, "currency": data.get("currency") or case.currency}
    report = ValueReport.objects.filter(
        initiative=initiative, year=quarter.year, quarter=quarter.quarter
    ).first()
    corrected = report is not None
    if report is None:
        report = ValueReport(
            initiative=initiative, year=quarter.year, quarter=quarter.quarter, reported_by=actor
        )
    for name in INPUT_FIELDS:
        if name in data:
            setattr(report, name, data[name] if data[name] is not None else _empty(name))
    report.updated_at = timezone.now()
    save(report, actor, reason=f"{'Corrected' if corrected else 'Reported'}{source}")
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.VALUE_REPORTED,
        quarter=quarter.label,
        correction=corrected,
        source=source.strip(),
    )
    return report, corrected


def _empty(name: str):
    field = ValueReport._meta.get_field(name)
    return field.get_default()


@transaction.atomic
def value_report_create(
    *, initiative: Initiative, actor: AbstractBaseUser, quarter: Quarter, data: dict
) -> ValueReport:
    """Record what the system delivered in `quarter` (refused, on `quarter`, when the quarter
    is already reported: correct it instead). `data` holds the report's inputs; a figure left
    out is 0."""
    require(permissions.can_report_value(actor, initiative), NOT_ALLOWED)
    initiative = lock_initiative(initiative)
    if ValueReport.objects.filter(
        initiative=initiative, year=quarter.year, quarter=quarter.quarter
    ).exists():
        raise ValidationError({"quarter": f"{quarter} is already reported; correct it instead."})
    return _write(initiative=initiative, actor=actor, quarter=quarter, data=data, source="")[0]


@transaction.atomic
def value_report_save(
    *, initiative: Initiative, actor: AbstractBaseUser, quarter: Quarter, data: dict
) -> tuple[ValueReport, bool]:
    """Record `quarter`, or correct it when it is already reported (the form's one path).
    The history keeps the figures as they were before. Returns the report and whether it was
    a correction."""
    require(permissions.can_report_value(actor, initiative), NOT_ALLOWED)
    initiative = lock_initiative(initiative)
    return _write(initiative=initiative, actor=actor, quarter=quarter, data=data, source="")


@transaction.atomic
def value_report_correct(
    *, report: ValueReport, actor: AbstractBaseUser, data: dict
) -> ValueReport:
    """Correct a reported quarter: the fields in `data` change, the others stay; the history
    keeps every earlier version."""
    require(permissions.can_report_value(actor, report.initiative), NOT_ALLOWED)
    initiative = lock_initiative(report.initiative)
    quarter = Quarter(report.year, report.quarter)
    data = {"currency": report.currency, **data}
    return _write(initiative=initiative, actor=actor, quarter=quarter, data=data, source="")[0]


@transaction.atomic
def value_reports_import(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    rows: list[tuple[int, Quarter, dict]],
    source: str,
) -> tuple[int, int]:
    """Store a parsed CSV file's rows (line number, quarter, inputs): a new quarter is
    reported, a reported one corrected. All or nothing: rows refused here raise
    `importing.ImportFailed`, every problem by line and column. Returns (created, corrected)."""
    require(permissions.can_report_value(actor, initiative), NOT_ALLOWED)
    initiative = lock_initiative(initiative)
    created = corrected = 0
    problems = []
    for line, quarter, data in rows:
        try:
            with transaction.atomic():
                _, was_correction = _write(
                    initiative=initiative,
                    actor=actor,
                    quarter=quarter,
                    data=data,
                    source=f" from {source}",
                )
        except ValidationError as error:
            problems.extend(_located(line, error))
            continue
        corrected += was_correction
        created += not was_correction
    if problems:
        raise ImportFailed(problems)
    return created, corrected


def _located(line: int, error: ValidationError) -> list[RowError]:
    if hasattr(error, "error_dict"):
        return [
            RowError(line, "" if field == "__all__" else field, message)
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [RowError(line, "", message) for message in error.messages]


@transaction.atomic
def value_reporter_grant(
    *, initiative: Initiative, client: AbstractBaseUser, reason: str
) -> ValueReporterGrant:
    """Let machine client `client` push value reports for `initiative` (once: granting again
    changes nothing). The grant's history keeps `reason`."""
    grant = ValueReporterGrant.objects.filter(user=client, initiative=initiative).first()
    if grant is None:
        grant = ValueReporterGrant(user=client, initiative=initiative)
        grant._change_reason = reason
        grant.save()
    return grant


@transaction.atomic
def value_reporter_revoke(*, initiative: Initiative, client: AbstractBaseUser, reason: str) -> int:
    """Stop `client` pushing value reports for `initiative`; returns how many grants ended."""
    grants = list(ValueReporterGrant.objects.filter(user=client, initiative=initiative))
    for grant in grants:
        grant._change_reason = reason
        grant.delete()
    return len(grants)
