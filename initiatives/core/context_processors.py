from initiatives.core import permissions


def roles(request) -> dict:
    user = getattr(request, "user", None)
    return {"is_governance": bool(user) and permissions.is_governance(user)}


# The main navigation's sections, by URL name. Every page under an initiative (its slug in
# the URL, or a handover or promotion of it) is in "initiatives", where the person came from.
SECTIONS = {
    "portfolio": "portfolio",
    "initiative-list": "initiatives",
    "initiative-export": "initiatives",
    "handover-answer": "initiatives",
    "promotion-review": "initiatives",
    "my-work": "my-work",
    "governance-queue": "governance",
    "initiative-create": "new",
    "email-list": "emails",
    "email-detail": "emails",
    "initiative-import": "import",
    "initiative-export-for-import": "import",
    "api-docs": "api",
    "profile": "profile",
    "password-change": "profile",
}


def section(request) -> dict:
    """`nav_section`: the main navigation's section the page is in (for `aria-current`)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {"nav_section": ""}
    if "slug" in match.kwargs:
        return {"nav_section": "initiatives"}
    return {"nav_section": SECTIONS.get(match.url_name or "", "")}
