"""Static files as WhiteNoise serves them in production: hashed names, gzip copies."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class GzipManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage writing gzip copies only. WhiteNoise adds Brotli copies whenever
    the `brotli` module is importable, and WeasyPrint (the evidence pack's PDF) brings it in;
    Brotli at its default quality made `collectstatic` several times slower, for the API
    docs' bundles mostly. Gzip is what the portal served before."""

    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)
