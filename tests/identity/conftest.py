import pytest

from tests.support.identity_provider import identity_provider


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """One real OpenID Connect provider process for the module's tests."""
    with identity_provider(tmp_path_factory.mktemp("provider")) as running:
        yield running
