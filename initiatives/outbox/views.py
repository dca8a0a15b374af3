from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import ListView

from initiatives.core import permissions
from initiatives.core.choices import (
    EmailStatus,
)
from initiatives.outbox import services
from initiatives.outbox.models import EmailRecord


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
        status = self.request.GET.get("status")
        if status in EmailStatus.values:
            queryset = queryset.filter(status=status)
        return queryset

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        return super().get_context_data(
            statuses=EmailStatus.choices,
            status=status,
            status_query=urlencode({"status": status}) if status else "",
            **kwargs,
        )


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
