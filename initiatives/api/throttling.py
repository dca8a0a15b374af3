from rest_framework.throttling import UserRateThrottle


class HealthPushThrottle(UserRateThrottle):
    """Health pushes per client, in their own scope (API_THROTTLE_HEALTH_PUSH).

    A production system pushing batches must not lose reports because people's reads used
    up a shared allowance; its pushes count here and nowhere else.
    """

    scope = "health_push"
