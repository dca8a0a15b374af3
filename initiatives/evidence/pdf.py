"""The evidence pack as PDF (README "Evidence pack"), rendered by WeasyPrint: no browser, and
no network. The print stylesheet is read from disk, and the fetcher refuses every URL that
is not inline data, so nothing in a pack (an evidence link, an image someone pasted) makes
the server fetch anything. Links stay links in the PDF; they are never followed."""

from pathlib import Path

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

PRINT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "evidence-pack-print.css"


class LocalOnlyFetcher(URLFetcher):
    """Fetches `data:` URLs only; refuses (and remembers) everything else."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=("data",), allow_redirects=False, **kwargs)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not url.startswith("data:"):
            self.refused.append(url)
            raise ValueError(f"The evidence pack fetches nothing: {url}")
        return super().fetch(url, headers)


def render_pdf(html: str, *, fetcher: LocalOnlyFetcher | None = None) -> bytes:
    """`html` (a whole document) as PDF bytes, with the print stylesheet."""
    fetcher = fetcher or LocalOnlyFetcher()
    stylesheet = CSS(string=PRINT_CSS.read_text(encoding="utf-8"), url_fetcher=fetcher)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet])
