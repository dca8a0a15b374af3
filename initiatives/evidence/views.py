"""Pages of the evidence domain: the framework view (one initiative, the portfolio) and the
evidence pack as HTML and PDF. Reads only; whoever may see the initiative may see them."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import View

from initiatives.core import permissions
from initiatives.evidence import selectors
from initiatives.evidence.pdf import render_pdf
from initiatives.portfolio import selectors as portfolio_selectors


class _Readable(View):
    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_view(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FrameworksView(_Readable):
    """Every framework's items across the portfolio, and which initiatives have evidence."""

    def get(self, request):
        initiatives, coverage = selectors.portfolio_frameworks()
        return render(
            request,
            "initiatives/frameworks.html",
            {"initiatives": initiatives, "coverage": coverage},
        )


class InitiativeFrameworksView(_Readable):
    """One initiative's evidence for every framework item, linked to its milestones."""

    def get(self, request, slug):
        initiative = portfolio_selectors.initiative_by_slug(slug)
        return render(
            request,
            "initiatives/initiative_frameworks.html",
            {"object": initiative, "coverage": selectors.initiative_frameworks(initiative)},
        )


class EvidencePackView(_Readable):
    def get(self, request, slug):
        initiative = portfolio_selectors.initiative_by_slug(slug)
        pack = selectors.evidence_pack(initiative)
        return render(
            request, "initiatives/evidence_pack.html", {"object": initiative, "pack": pack}
        )


class EvidencePackPdfView(_Readable):
    def get(self, request, slug):
        initiative = portfolio_selectors.initiative_by_slug(slug)
        pack = selectors.evidence_pack(initiative)
        html = render_to_string(
            "initiatives/evidence_pack_pdf.html", {"object": initiative, "pack": pack}, request
        )
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        stamp = pack.generated_at.strftime("%Y%m%d")
        response["Content-Disposition"] = (
            f'attachment; filename="evidence-pack-{initiative.slug}-{stamp}.pdf"'
        )
        response["X-Evidence-Fingerprint"] = pack.fingerprint
        return response
