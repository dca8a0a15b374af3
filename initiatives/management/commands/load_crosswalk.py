from django.core.management.base import BaseCommand

from initiatives.evidence.services import crosswalk_load


class Command(BaseCommand):
    help = (
        "Load the shipped cross-walk (NIST AI RMF 1.0 and ISO/IEC 42001 Annex A items, and "
        "which milestones give evidence for them) again: adds what is missing, removes nothing. "
        "Run it after a template gains milestones the cross-walk names."
    )

    def handle(self, *args, **options):
        result = crosswalk_load()
        self.stdout.write(
            f"Cross-walk loaded: {result.items_created} new items, "
            f"{result.links_created} new links."
        )
        if result.skipped:
            self.stdout.write(
                f"Skipped {len(result.skipped)} mappings whose milestone does not exist: "
                + ", ".join(result.skipped)
            )
