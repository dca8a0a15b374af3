from django.contrib import admin
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from initiatives.accounts.views import PasswordChangeView, ProfileView
from initiatives.identity import views as identity_views
from ops import views as ops_views

urlpatterns = [
    # Operations: no sign-in (load balancers, orchestrators, Prometheus); see ops/views.py.
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("accounts/login/", identity_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", identity_views.SignOutView.as_view(), name="logout"),
    # The organisation's identity provider (OIDC_ISSUER): 404 when none is configured. The
    # redirect URI to register at the provider is PORTAL_BASE_URL + /oidc/callback/.
    path(
        "oidc/authenticate/",
        login_not_required(identity_views.ProviderSignInView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        login_not_required(identity_views.ProviderCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
    # SCIM 2.0 provisioning by the identity provider (bearer token from create_scim_token).
    path("scim/v2/", include("initiatives.identity.scim_urls", namespace="scim")),
    path("accounts/profile/", ProfileView.as_view(), name="profile"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password-change"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("initiatives.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The docs are a page for people: anonymous visitors are sent to sign in. The split view
    # serves Swagger UI's start-up script as a file (`?script`), which the CSP allows.
    path(
        "api/docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/swagger_ui.html"
            )
        ),
        name="api-docs",
    ),
    path("", include("initiatives.urls")),
]

# JSON for addresses under /api/, the portal's pages for the rest.
handler400 = "initiatives.api.errors.bad_request"
handler404 = "initiatives.api.errors.not_found"
handler500 = "initiatives.api.errors.server_error"
