from rest_framework.exceptions import AuthenticationFailed
from rest_framework.throttling import UserRateThrottle


class HealthPushThrottle(UserRateThrottle):
    """Health pushes per client, in their own scope (API_THROTTLE_HEALTH_PUSH).

    A production system pushing batches must not lose reports because people's reads used
    up a shared allowance; its pushes count here and nowhere else.
    """

    scope = "health_push"


class ThrottleFirstMixin:
    """Throttle before permissions, so refused callers are throttled too.

    REST framework checks throttles after authentication and permissions; a caller without
    credentials (401) or with a wrong token would never be throttled, and guessing tokens
    would cost nothing. Every API view mixes this in (tested); each request is counted once.
    """

    def perform_authentication(self, request):
        try:
            super().perform_authentication(request)
        except AuthenticationFailed:
            self.check_throttles(request)  # a wrong token counts as an anonymous request
            raise

    def check_permissions(self, request):
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        if getattr(request, "_throttles_checked", False):
            return
        request._throttles_checked = True
        super().check_throttles(request)
