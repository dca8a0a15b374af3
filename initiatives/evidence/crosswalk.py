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
    # Items: created when missing, title, order and source brought up to date (bulk).
    items = {(i.framework, i.code): i for i in Item.objects.all()}
    new, changed = [], []
    for order, row in enumerate(data["items"]):
        wanted = {"title": row["title"], "order": order, "source_id": sources[row["source"]].pk}
        item = items.get((row["framework"], row["code"]))
        if item is None:
            item = Item(framework=row["framework"], code=row["code"], **wanted)
            items[row["framework"], row["code"]] = item
            new.append(item)
        elif any(getattr(item, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(item, k, v)
            changed.append(item)
    Item.objects.bulk_create(new)
    Item.objects.bulk_update(changed, ["title", "order", "source"])
    result.items_created = len(new)

    # Links: the missing ones added; those to milestones that do not exist skipped.
    milestones = {(m.template.key, m.key): m for m in Milestone.objects.select_related("template")}
    existing = set(Link.objects.values_list("milestone_id", "item_id"))
    links_source = sources[data["links_source"]]
    links = []
    for row in data["links"]:
        milestone = milestones.get((row["template"], row["milestone"]))
        if milestone is None:
            result.skipped.append(f"{row['template']}/{row['milestone']}")
            continue
        for framework in Framework.values:
            for code in row.get(framework, []):
                item = items[framework, code]
                if (milestone.pk, item.pk) not in existing:
                    existing.add((milestone.pk, item.pk))
                    links.append(Link(milestone=milestone, item=item, source=links_source))
    Link.objects.bulk_create(links)
    result.links_created = len(links)
    return result
