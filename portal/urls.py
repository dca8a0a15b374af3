from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from initiatives.accounts.views import PasswordChangeView, ProfileView
from ops import views as ops_views
from portal.security import SignInForm

urlpatterns = [
    # Operations: no sign-in (load balancers, orchestrators, Prometheus); see ops/views.py.
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
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
