from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission

from initiatives.core import permissions


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object is not in a state that allows this."
    default_code = "conflict"


class ActionRule(BasePermission):
    """Apply the view's rule for the current action to the object, before any input is read.

    `view.object_rules` maps an action name to a rule from `initiatives.core.permissions`. The
    services check the same rule again; checking here first means a user who may not act
    gets 403, never a 400 about a body they had no right to send.
    """

    message = "You may not do this."

    def has_object_permission(self, request, view, obj) -> bool:
        rule = getattr(view, "object_rules", {}).get(view.action)
        if rule is None or rule(request.user, obj):
            return True
        explain = REFUSALS.get(rule)
        if explain is not None:
            code, message = explain(request.user, obj)
            raise (Conflict if code == 409 else exceptions.PermissionDenied)(message)
        return False


class MachineClientsOnlyReport(BasePermission):
    """A machine client's token pushes health reports and does nothing else.

    Every API view carries this (REST_FRAMEWORK's defaults); a view lets machine clients in
    only for the actions it names in `machine_client_actions`.
    """

    message = "This is a machine client's token: it may only push health reports."

    def has_permission(self, request, view) -> bool:
        if not permissions.is_machine_client(request.user):
            return True
        return getattr(view, "action", None) in getattr(view, "machine_client_actions", ())


class SeesEmailLog(BasePermission):
    """The e-mail outbox is governance's to read (as on the E-mails page)."""

    message = "Only governance reviewers may see the e-mail log."

    def has_permission(self, request, view) -> bool:
        return permissions.can_see_email_log(request.user)


# Readable names for the rules, shared by the API views.
RULES = {
    "edit": permissions.can_edit_initiative,
    "change_stage": permissions.can_change_stage,
    "name_owner": permissions.can_name_owner,
    "confirm": permissions.can_confirm_ownership,
    "request_promotion": permissions.can_request_promotion,
    "answer_handover": permissions.can_answer_handover,
    "review_promotion": permissions.can_review_promotion,
    "review_case": permissions.can_review_business_case,
    "send_email_again": permissions.can_send_email_again,
}

# The rules whose refusal can say why (see permissions.*_refusal).
REFUSALS = {
    permissions.can_answer_handover: permissions.answer_handover_refusal,
    permissions.can_review_promotion: permissions.review_promotion_refusal,
    permissions.can_review_business_case: permissions.review_business_case_refusal,
    permissions.can_send_email_again: permissions.send_email_again_refusal,
}
