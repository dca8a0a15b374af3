from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from initiatives.api.permissions import MachineClientsOnlyReport
from initiatives.api.throttling import ThrottleFirstMixin
from initiatives.evidence import selectors, serializers
from initiatives.portfolio.selectors import initiative_by_slug


class EvidencePackViewSet(ThrottleFirstMixin, viewsets.ViewSet):
    """An initiative's evidence pack (README "Evidence pack"): whoever may see the
    initiative may read it."""

    permission_classes = [IsAuthenticated, MachineClientsOnlyReport]

    @extend_schema(responses=serializers.EvidencePackSerializer)
    def list(self, request, initiative_slug=None):
        """The pack: the classification, milestones and obligations with their evidence,
        waivers, business case approvals, the owner's acceptance, promotions and the change
        history; the generated time and the fingerprint of the rest."""
        pack = selectors.evidence_pack(initiative_by_slug(initiative_slug))
        return Response(
            {"generated_at": pack.generated_at, "fingerprint": pack.fingerprint, **pack.content()}
        )
