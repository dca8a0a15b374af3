"""Writes of the evidence domain: loading the shipped cross-walk again (README "Frameworks").
The admin edits the cross-walk itself; the evidence pack and the framework view only read."""

from django.apps import apps
from django.db import transaction

from initiatives.evidence.crosswalk import LoadResult, load_crosswalk


@transaction.atomic
def crosswalk_load(*, data: dict | None = None) -> LoadResult:
    """Load the shipped cross-walk (or `data`, in its shape) all or nothing: items and
    sources updated, missing links added, links to milestones that do not exist skipped.
    Nothing the admin added is removed."""
    return load_crosswalk(apps, data)
