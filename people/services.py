"""Writes that touch several people at once.

Merging people rewrites their authorships, which are catalog's rows: this
module depends on catalog's models, as people's admin and views do.
catalog.models imports only people.models, so there is no import cycle.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models.functions import Now

from catalog.models import Authorship, Paper
from core.redirects import record_merge
from history.services import papers_states, record_states
from people.models import Person, PersonAlias


class MergeConflict(ValueError):
    """The merge would make a paper lose an author or list one twice."""


@transaction.atomic
def person_merge(*, keep: Person, others: Iterable[Person], user=None) -> Person:
    """Fold `others` into `keep`.

    Every paper keeps its author order: `keep` takes each other person's
    place. Where a paper lists both without a clash (at the same position,
    or one of them without a position, as from "(incl. …)"), `keep`'s row
    stays, with whichever position and equal-contribution mark either row
    had. Where a paper lists both at two different positions, they are
    two people as far as that listing goes, so the merge is refused
    (MergeConflict) rather than silently dropping an author.
    The others' names and aliases become aliases of `keep` (those it does
    not already have); `keep` takes an other's ORCID when it has none.
    """
    others = [p for p in others if p.pk != keep.pk]
    if not others:
        return keep
    other_ids = [p.pk for p in others]
    # Each touched paper's author list before, for its history.
    before = papers_states(
        Authorship.objects.filter(person_id__in=other_ids).values_list("paper_id", flat=True)
    )

    rows_by_paper = {row.paper_id: row for row in Authorship.objects.filter(person=keep)}
    changed_papers = []
    for row in Authorship.objects.filter(person_id__in=other_ids).select_related("paper"):
        changed_papers.append(row.paper_id)
        existing = rows_by_paper.get(row.paper_id)
        if existing is None:
            row.person = keep
            row.save(update_fields=["person"])
            rows_by_paper[row.paper_id] = row
            continue
        if existing.position and row.position and existing.position != row.position:
            raise MergeConflict(
                f"“{row.paper}” lists both “{existing.person.name}” (#{existing.position}) "
                f"and “{row.person.name}” (#{row.position}); merging would drop an author."
            )
        # Same paper, one of the two rows has no position: keep one row that
        # has everything either row knew.
        position = existing.position or row.position
        equal = existing.equal_contribution or row.equal_contribution
        row.delete()
        existing.position = position
        existing.equal_contribution = equal
        existing.save(update_fields=["position", "equal_contribution"])

    known = {keep.name.casefold()} | {a.name.casefold() for a in keep.aliases.all()}
    new_aliases = []
    for name in [p.name for p in others] + [
        a.name for a in PersonAlias.objects.filter(person_id__in=other_ids)
    ]:
        if name.casefold() not in known:
            known.add(name.casefold())
            new_aliases.append(PersonAlias(person=keep, name=name))

    orcid = keep.orcid or next((p.orcid for p in others if p.orcid), "")
    # Their URLs (pages, feeds, `?author=`) now lead to `keep`.
    record_merge(keep, others)
    Person.objects.filter(pk__in=other_ids).delete()
    PersonAlias.objects.bulk_create(new_aliases)
    if orcid != keep.orcid:
        keep.orcid = orcid
        keep.save(update_fields=["orcid", "updated_at"])
    # The others' names are now aliases of `keep`: papers stay findable by them.
    Paper.objects.filter(authorships__person=keep).refresh_search_index()
    # Their author lists changed: harvesters select by the last change (OAI-PMH).
    Paper.objects.filter(pk__in=changed_papers).update(updated_at=Now())
    names = ", ".join(p.name for p in others)
    record_states(before, kind="merge", user=user, note=f"people merged: {names} into {keep.name}")
    return keep


@transaction.atomic
def person_split(
    *, person: Person, authorships: Iterable[Authorship | int], name: str, user=None
) -> Person:
    """Move the chosen `authorships` of `person` to a new person named `name`
    (the inverse of person_merge, for two people one record was holding).

    Each row moves whole: the paper keeps its author order and
    equal-contribution marks. Nothing else moves: aliases, ORCID and old
    slugs stay with `person`. `user` is who asked, for the history to record.
    """
    name = name.strip()
    if not name:
        raise ValueError("The new person needs a name.")
    ids = {row if isinstance(row, int) else row.pk for row in authorships}
    rows = Authorship.objects.filter(person=person, pk__in=ids)
    paper_ids = list(rows.values_list("paper_id", flat=True))
    if len(paper_ids) != len(ids):
        raise ValueError(f"Pick authorships of “{person.name}” only.")
    if not paper_ids:
        raise ValueError("Pick at least one authorship to move.")
    before = papers_states(paper_ids)
    new = Person.objects.create(name=name)
    Authorship.objects.filter(pk__in=ids).update(person=new)
    papers = Paper.objects.filter(pk__in=paper_ids)
    # Their author names changed (the search index and author_names hold
    # them), and harvesters and feeds select by the last change.
    papers.refresh_search_index()
    papers.update(updated_at=Now())
    record_states(
        before, kind="merge", user=user, note=f"person split: {new.name} from {person.name}"
    )
    return new
