"""A real OpenID Connect provider for the tests: oidc-provider-mock, run as a process of its
own on a free port (discovery, authorization page, token and userinfo endpoints, JWKS,
end-session), with people and their groups set over its HTTP API."""

import copy
import importlib.util
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.support.components import free_port


@dataclass
class IdentityProvider:
    issuer: str
    process: subprocess.Popen
    log_path: Path

    def set_person(self, sub: str, **claims) -> None:
        """Create or replace the person `sub` with `claims` (username, e-mail, groups...)."""
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def identity_provider(tmp_path: Path, *extra_args: str) -> Iterator[IdentityProvider]:
    """Start the provider (with `extra_args`, e.g. "--token-max-age", "1"); stop it, and
    wait for it, whatever happens."""
    if importlib.util.find_spec("oidc_provider_mock") is None:
        pytest.skip("oidc-provider-mock (a dev dependency) runs the identity provider")
    port = free_port()
    log_path = tmp_path / "identity-provider.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [
                sys.executable,
                "-m",
                "oidc_provider_mock",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                *extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    provider = IdentityProvider(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                discovery = f"{provider.issuer}/.well-known/openid-configuration"
                if requests.get(discovery, timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The identity provider did not start:\n{provider.log}")
            time.sleep(0.1)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def use_provider(settings, provider: IdentityProvider, **overrides) -> None:
    """Point the portal at `provider` for this test (the `settings` fixture restores it)."""
    from initiatives.identity.oidc import forget_metadata

    values = {
        "OIDC_ISSUER": provider.issuer,
        "OIDC_ENABLED": True,
        "OIDC_CLIENT_ID": "crossing",
        "OIDC_RP_CLIENT_ID": "crossing",
        "OIDC_CLIENT_SECRET": "crossing-secret",
        "OIDC_RP_CLIENT_SECRET": "crossing-secret",
        "OIDC_PROVIDER_NAME": "Example SSO",
        "OIDC_GOVERNANCE_GROUPS": ["ai-governance"],
        "OIDC_ADMIN_GROUPS": ["crossing-admins"],
        **overrides,
    }
    for name, value in values.items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "initiatives.identity.backends.PasswordBackend",
        "initiatives.identity.backends.ProviderBackend",
    ]
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], provider.issuer]
    settings.CONTENT_SECURITY_POLICY = policy
    forget_metadata()
