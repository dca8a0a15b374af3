from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from initiatives.core.choices import EmailKind, FlagKind
from initiatives.core.people import display_name
from initiatives.outbox.models import EmailRecord
from initiatives.ownership.links import confirmation_token
from initiatives.watch.selectors import open_flag_counts_by_kind, open_flags


def absolute_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


# --- Rendering ------------------------------------------------------------------------------

SUBJECTS = {
    EmailKind.HANDOVER_REQUEST: "You are named production owner of {name}",
    EmailKind.CASE_REVIEWED: "Your business case for {name} was reviewed",
    EmailKind.STALE_OWNERSHIP: "Do you still own {name}?",
    EmailKind.OWNERLESS: "{name} has no production owner",
    EmailKind.ESCALATION: "Nobody has confirmed ownership of {name}",
    EmailKind.DIGEST: "Weekly digest: open flags across the portfolio",
    EmailKind.HANDOVER_CANCELLED: "Your handover of {name} was cancelled",
    EmailKind.VALUE_UNREPORTED: "Report the value {name} delivered",
    EmailKind.VALUE_SHORTFALL: "{name} delivers less value than its business case planned",
    EmailKind.REGULATORY_GAP: "{name} is in production with EU AI Act obligations outstanding",
}


# Shown in the e-mail log instead of the owner's personal confirmation link: the log is for
# reading what was said, not for following another person's link.
HIDDEN_LINK = "(the recipient's personal confirmation link)"


def render(record: EmailRecord, *, for_log: bool = False) -> EmailMultiAlternatives:
    """The e-mail `record` stands for, rendered now from its kind and what it points at.
    `for_log`: as the e-mail log shows it, without the recipient's personal link."""
    context = _context(record)
    if for_log and "confirm_url" in context:
        context["confirm_url"] = HIDDEN_LINK
    name = record.initiative.name if record.initiative else ""
    # A header is one line, whatever an older record's name holds.
    subject = " ".join(("[Crossing] " + SUBJECTS[record.kind].format(name=name)).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{record.kind}.txt", context),
        to=[record.recipient],
        headers={"X-Crossing-Email": record.dedupe_key},
    )
    message.attach_alternative(render_to_string(f"emails/{record.kind}.html", context), "text/html")
    return message


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def ordinal(number: int) -> str:
    """2 → "second": how a count of reminders reads in a sentence."""
    return ORDINALS[number - 1] if 1 <= number <= len(ORDINALS) else f"{number}th"


def to_governance(record: EmailRecord) -> bool:
    """The copy for the governance mailbox (a team, not a person)."""
    return record.recipient.lower() == settings.GOVERNANCE_EMAIL.lower()


def _context(record: EmailRecord) -> dict:
    initiative = record.initiative
    governance = to_governance(record)
    context = {
        "record": record,
        "to_governance": governance,
        "recipient_name": "governance team"
        if governance
        else display_name(record.recipient_user, empty="colleague"),
        "initiative": initiative,
        "flag": record.flag,
        "portal_url": absolute_url("/"),
    }
    if initiative is not None:
        context["initiative_url"] = absolute_url(initiative.get_absolute_url())
        context["handover_url"] = absolute_url(
            reverse("initiative-handover", args=[initiative.slug])
        )
        context["owner_name"] = display_name(initiative.production_owner, empty="nobody")
    if record.handover is not None:
        context["handover"] = record.handover
        context["answer_url"] = absolute_url(reverse("handover-answer", args=[record.handover.pk]))
    if record.business_case is not None:
        context["case"] = record.business_case
        context["case_url"] = absolute_url(record.business_case.get_absolute_url())
    if initiative is not None:
        context["sponsor_name"] = display_name(initiative.sponsor, empty="")
    if record.kind == EmailKind.STALE_OWNERSHIP:
        context["confirm_url"] = absolute_url(
            reverse("ownership-confirm", args=[confirmation_token(initiative)])
        )
        # The rule that decides it (`planning.plan_flag_emails`), said in the e-mail.
        escalate_after = settings.PORTAL_ESCALATE_AFTER_REMINDERS
        context.update(
            reminder_interval_days=settings.PORTAL_REMINDER_INTERVAL_DAYS,
            escalate_after=ordinal(escalate_after),
            escalated=record.reminder >= escalate_after
            and initiative.sponsor is not None
            and initiative.sponsor.is_active,
        )
    if record.kind in (EmailKind.VALUE_UNREPORTED, EmailKind.VALUE_SHORTFALL):
        context.update(
            value_url=absolute_url(reverse("value", args=[initiative.slug])),
            to_sponsor=initiative.sponsor_id is not None
            and record.recipient_user_id == initiative.sponsor_id
            and record.recipient_user_id != initiative.production_owner_id,
        )
    if record.kind == EmailKind.REGULATORY_GAP:
        context["readiness_url"] = absolute_url(reverse("readiness", args=[initiative.slug]))
    if record.kind == EmailKind.DIGEST:
        context.update(digest_context())
    return context


def digest_context() -> dict:
    """Open flags by kind, and the initiatives carrying them (at most 50 per kind)."""
    counts = open_flag_counts_by_kind()
    flags = open_flags().select_related("initiative")
    by_kind = []
    for kind in FlagKind:
        if counts.get(kind):
            listed = [
                (f.initiative.name, absolute_url(f.initiative.get_absolute_url()))
                for f in flags.filter(kind=kind).order_by("opened_at")[:50]
            ]
            by_kind.append((kind.label, counts[kind], listed))
    return {"by_kind": by_kind, "list_url": absolute_url(reverse("initiative-list"))}
