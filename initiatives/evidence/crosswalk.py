"""Loading the shipped cross-walk (`crosswalk.json`, README "Frameworks").

One function for the data migration (historical models) and for
`manage.py load_crosswalk` (today's models), so loading again after a template gains
milestones (the EU AI Act obligations, say) maps them too. Loading adds what is missing and
brings titles and sources up to date; it never removes an item or a link, so what the
admin added stays. A link whose milestone does not exist (yet) is skipped and counted.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from initiatives.core.choices import Framework

DATA = Path(__file__).with_name("crosswalk.json")


@dataclass
class LoadResult:
    items_created: int = 0
    links_created: int = 0
    skipped: list[str] = field(default_factory=list)  # "template/milestone" not found


def shipped() -> dict:
    """The shipped cross-walk, as the JSON file has it."""
    return json.loads(DATA.read_text(encoding="utf-8"))


def load_crosswalk(apps, data: dict | None = None) -> LoadResult:
    """Load `data` (default: the shipped file) with the models of `apps` (a migration's
    registry, or `django.apps.apps`). Idempotent; see the module docstring."""
    data = shipped() if data is None else data
    Source = apps.get_model("initiatives", "CrosswalkSource")
    Item = apps.get_model("initiatives", "FrameworkItem")
    Link = apps.get_model("initiatives", "CrosswalkLink")
    Milestone = apps.get_model("initiatives", "ReadinessMilestone")
    result = LoadResult()

    sources = {}
    for row in data["sources"]:
        sources[row["key"]], _ = Source.objects.update_or_create(
            key=row["key"],
            defaults={
                "name": row["name"],
                "version": row["version"],
                "published": date.fromisoformat(row["published"]),
                "url": row.get("url", ""),
                "note": row.get("note", ""),
            },
        )
    items = {}
    for order, row in enumerate(data["items"]):
        item, created = Item.objects.update_or_create(
            framework=row["framework"],
            code=row["code"],
            defaults={"title": row["title"], "order": order, "source": sources[row["source"]]},
        )
        items[row["framework"], row["code"]] = item
        result.items_created += created

    milestones = {(m.template.key, m.key): m for m in Milestone.objects.select_related("template")}
    links_source = sources[data["links_source"]]
    for row in data["links"]:
        milestone = milestones.get((row["template"], row["milestone"]))
        if milestone is None:
            result.skipped.append(f"{row['template']}/{row['milestone']}")
            continue
        for framework in Framework.values:
            for code in row.get(framework, []):
                _, created = Link.objects.get_or_create(
                    milestone=milestone,
                    item=items[framework, code],
                    defaults={"source": links_source},
                )
                result.links_created += created
    return result
