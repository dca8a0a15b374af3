"""The profile page: the signed-in person's API tokens, made (the new key shown once, with a
copy button), listed with their expiry and last use, and revoked; and the ones revoked lately
(by them, or because their password changed)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views import View
from knox.models import AuthToken

from initiatives.accounts import services
from initiatives.accounts.forms import ApiTokenForm
from initiatives.core.forms import add_service_error


class ProfileView(View):
    template_name = "accounts/profile.html"

    def render(self, request, form, new_key=None, status=200):
        now = timezone.now()
        tokens = list(
            AuthToken.objects.filter(user=request.user).select_related("info").order_by("-created")
        )
        for token in tokens:
            # knox deletes an expired token only when it is next presented; until then the
            # list says it no longer works.
            token.expired = token.expiry is not None and token.expiry <= now
            token.last_used_at = getattr(getattr(token, "info", None), "last_used_at", None)
        revocations = request.user.api_token_revocations.all()[:10]
        response = render(
            request,
            self.template_name,
            {
                "form": form,
                "tokens": tokens,
                "new_key": new_key,
                "revocations": revocations,
                "token_days": settings.PORTAL_API_TOKEN_DAYS,
            },
            status=status,
        )
        # The page may carry a token that is shown only once: no cache keeps a copy.
        add_never_cache_headers(response)
        return response

    def get(self, request):
        return self.render(request, ApiTokenForm())

    def post(self, request):
        if request.POST.get("action") == "revoke":
            try:
                services.api_token_revoke(
                    user=request.user, token_key=request.POST.get("token_key", "")
                )
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(request, "Token revoked: it no longer works.")
            return redirect(reverse("profile"))
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                _, key = services.api_token_create(
                    user=request.user, name=form.cleaned_data["name"]
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, ValidationError(str(error)))
            else:
                # Rendered, not redirected: the key exists in this response and nowhere else.
                return self.render(request, ApiTokenForm(), new_key=key, status=201)
        return self.render(request, form, status=400)


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """The signed-in person changes their own password (the demo, and a break-glass
    administrator); the session stays signed in, and their API tokens are revoked, as after
    any password change (`signals.py`), which the message says."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("profile")
    success_message = (
        "Your password is changed. Any API tokens you had are revoked: make new ones below "
        "for the programs that need them."
    )
