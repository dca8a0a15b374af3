from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from initiatives.api.parsers import SafeJSONParser
from initiatives.api.permissions import MachineClientsOnlyReport
from initiatives.api.schema import ErrorSerializer
from initiatives.api.throttling import HealthPushThrottle, ThrottleFirstMixin
from initiatives.core import permissions
from initiatives.health import serializers, services
from initiatives.health import status as health_status
from initiatives.portfolio.models import Initiative
from initiatives.portfolio.selectors import initiative_by_slug


class HealthViewSet(ThrottleFirstMixin, viewsets.ViewSet):
    """An initiative's operational health; production systems push reports here."""

    permission_classes = [IsAuthenticated, MachineClientsOnlyReport]
    parser_classes = [SafeJSONParser]  # a form-encoded body would turn numbers into strings
    machine_client_actions = frozenset({"reports"})

    def _initiative(self) -> Initiative:
        return initiative_by_slug(self.kwargs["initiative_slug"])

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="Days of series (1-365, 90).")],
        responses=serializers.HealthSerializer,
    )
    def list(self, request, initiative_slug=None):
        """Status, the reasons for it, the latest metrics and daily series."""
        initiative = self._initiative()
        try:
            days = int(request.query_params.get("days", 90))
        except ValueError:
            days = 0
        if not 1 <= days <= 365:
            raise ValidationError({"days": ["A whole number of days from 1 to 365."]})
        state = health_status.health_of(initiative)
        data = {
            "status": state.status,
            "reasons": state.reasons,
            "latest_at": state.latest_at,
            "latest": state.latest,
            "eval_regression": state.eval_regression,
            "eval_baseline": state.eval_baseline,
            "eval_allowed_drop": state.eval_allowed_drop,
            "thresholds": health_status.thresholds_for(initiative),
            "series": [
                {**row, "day": row["day"].isoformat()}
                for row in health_status.series(initiative, days)
            ],
        }
        return Response(serializers.HealthSerializer(data).data)

    @extend_schema(
        request=serializers.HealthReportSerializer(many=True),
        responses={
            201: serializers.HealthPushResultSerializer,
            400: serializers.HealthPushErrorSerializer,
            413: ErrorSerializer,
        },
        description="One report (an object) or a batch (a list). The whole batch is refused "
        "if any report is bad, with each bad one identified by its index. A report whose "
        "observed_at is already stored is a duplicate and is not stored again.",
    )
    @action(
        detail=False,
        methods=["post"],
        throttle_classes=[AnonRateThrottle, HealthPushThrottle],
    )
    def reports(self, request, initiative_slug=None):
        initiative = self._initiative()
        if not permissions.can_report_health(request.user, initiative):
            raise PermissionDenied("This client may not report health for this initiative.")
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        if size > settings.PORTAL_HEALTH_MAX_BYTES:
            return Response(
                {
                    "detail": f"The payload is {size} bytes; at most "
                    f"{settings.PORTAL_HEALTH_MAX_BYTES} are taken. Send smaller batches."
                },
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        payload = request.data
        items = payload if isinstance(payload, list) else [payload]
        if not items:
            raise ValidationError({"detail": "Send a report or a non-empty list of reports."})
        if len(items) > settings.PORTAL_HEALTH_MAX_BATCH:
            raise ValidationError(
                {"detail": f"At most {settings.PORTAL_HEALTH_MAX_BATCH} reports per request."}
            )
        # One list serializer validates the batch (a serializer per item would rebuild its
        # fields 500 times); its errors line up with the items' indexes.
        batch = serializers.HealthReportSerializer(data=items, many=True)
        valid = batch.is_valid()
        found = {} if valid else batch.errors  # {index: errors} (or a list, in older DRF)
        pairs = found.items() if isinstance(found, dict) else enumerate(found)
        errors = sorted(
            # A report that is not an object (null, a number) has errors about it as a
            # whole; they go under non_field_errors, so each item's errors are field-keyed.
            (
                {"index": int(i), "errors": e if isinstance(e, dict) else {"non_field_errors": e}}
                for i, e in pairs
                if e
            ),
            key=lambda x: x["index"],
        )
        reports, seen = [], {}
        for index, data in enumerate(batch.validated_data if valid else []):
            moment = data["observed_at"]
            if moment in seen:
                errors.append(
                    {
                        "index": index,
                        "errors": {"observed_at": [f"Same moment as report {seen[moment]}."]},
                    }
                )
            seen.setdefault(moment, index)
            reports.append(data)
        if errors:
            return Response(
                {"detail": "Nothing was stored: some reports are invalid.", "reports": errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        result = services.health_reports_ingest(
            initiative=initiative, actor=request.user, reports=reports
        )
        return Response(
            {"received": result.received, "stored": result.stored, "duplicates": result.duplicates},
            status=status.HTTP_201_CREATED,
        )
