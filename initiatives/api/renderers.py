"""REST framework's HTML pages (the browsable API) under the portal's CSP."""

from csp.constants import UNSAFE_INLINE
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's own pages carry inline style (Pygments' colours for code, two buttons placed
    with a style attribute) that its templates offer no way to move to a file. On these
    pages only, the policy also allows inline style; inline script stays refused, and JSON
    responses keep the strict policy.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            # What django-csp's @csp_update decorator sets, for this response alone.
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
