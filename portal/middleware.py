from django.contrib.auth.middleware import LoginRequiredMiddleware
from rest_framework.views import APIView


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Anonymous users see only the sign-in page.

    REST framework views are let through because they authenticate themselves (session or
    token) and answer 401/403 in JSON, which an API client needs instead of a redirect.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
