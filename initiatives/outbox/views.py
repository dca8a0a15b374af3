from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, ListView

from initiatives.core import permissions
from initiatives.core.choices import EmailKind, EmailStatus
from initiatives.outbox import rendering, services
from initiatives.outbox.filtersets import EmailRecordFilterSet
from initiatives.outbox.models import EmailRecord
from initiatives.portfolio.models import Initiative


class EmailListView(ListView):
    """Every e-mail Crossing has recorded, for governance to see what went out and what failed."""

    template_name = "initiatives/email_list.html"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_see_email_log(request.user):
            raise PermissionDenied("Only governance reviewers may see the e-mail log.")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        queryset = EmailRecord.objects.select_related(
            "initiative", "resent_by", "recipient_user"
        ).order_by("-created_at", "-pk")
        # The API's filterset: kind, person (recipient), initiative and status.
        self.filterset = EmailRecordFilterSet(self.request.GET, queryset=queryset)
        return self.filterset.qs if self.filterset.is_valid() else queryset.none()

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        chosen = getattr(self.filterset.form, "cleaned_data", {})
        status = self.request.GET.get("status", "")
        return super().get_context_data(
            filter=self.filterset,
            statuses=EmailStatus.choices,
            kinds=EmailKind.choices,
            # Only initiatives that have e-mails: the choice never leads to an empty list.
            initiatives=Initiative.objects.filter(emails__isnull=False)
            .distinct()
            .order_by("name")
            .values_list("slug", "name"),
            status=status,
            kind=self.request.GET.get("kind", ""),
            initiative=self.request.GET.get("initiative", ""),
            recipient=self.request.GET.get("recipient", ""),
            filtered=any(chosen.values()),
            filter_query=query.urlencode(),
            **kwargs,
        )


class EmailDetailView(DetailView):
    """One e-mail as its recipient read it: subject and text, rendered from the record
    (governance only, as the log)."""

    template_name = "initiatives/email_detail.html"
    context_object_name = "email"

    def dispatch(self, request, *args, **kwargs):
        # Refused before the lookup: nobody else learns which e-mails exist.
        if not permissions.can_see_email_log(request.user):
            raise PermissionDenied("Only governance reviewers may read the e-mail log.")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return EmailRecord.objects.select_related(
            "initiative__production_owner",
            "recipient_user",
            "resent_by",
            "flag",
            "handover",
            "business_case",
        )

    def get_context_data(self, **kwargs):
        message = rendering.render(self.object, for_log=True)
        return super().get_context_data(subject=message.subject, body=message.body, **kwargs)


class EmailSendAgainView(View):
    """The "Send again" button on a failed e-mail in the log (governance only)."""

    def post(self, request, pk):
        # Refused before the lookup: nobody else learns which e-mails exist.
        if not permissions.can_see_email_log(request.user):
            raise PermissionDenied("Only governance reviewers may send an e-mail again.")
        email = get_object_or_404(EmailRecord, pk=pk)
        try:
            services.email_send_again(email=email, actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"The e-mail to {email.recipient} will be sent again.")
        # Back to the list as it was filtered (only a path of ours, never another host).
        status = request.POST.get("status", "")
        query = f"?{urlencode({'status': status})}" if status in EmailStatus.values else ""
        return HttpResponseRedirect(reverse("email-list") + query)
