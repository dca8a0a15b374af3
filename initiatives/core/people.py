def display_name(user, empty: str = "Crossing") -> str:
    """How a person is named on pages and in e-mails; `empty` names the system itself."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()
