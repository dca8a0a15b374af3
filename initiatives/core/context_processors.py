from initiatives.core import permissions


def roles(request) -> dict:
    user = getattr(request, "user", None)
    return {"is_governance": bool(user) and permissions.is_governance(user)}
