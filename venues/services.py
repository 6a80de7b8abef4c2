"""Writes that touch several venues at once."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models.functions import Now

from core.redirects import record_merge
from venues.models import Venue, VenueAlias


@transaction.atomic
def venue_merge(*, keep: Venue, others: Iterable[Venue], user=None) -> Venue:
    """Fold `others` into `keep`: their papers move over, their names become aliases."""
    # Here, not at the top: history reads catalog's papers, which import venues.
    from history.services import papers_states, record_states

    others = [v for v in others if v.pk != keep.pk]
    if not others:
        return keep
    other_ids = [v.pk for v in others]
    before = papers_states(
        keep.papers.model.objects.filter(venue_id__in=other_ids).values_list("pk", flat=True)
    )
    # updated_at too: a paper's venue is its OAI-PMH set, and harvesters
    # select by the last change.
    keep.papers.model.objects.filter(venue_id__in=other_ids).update(venue=keep, updated_at=Now())
    VenueAlias.objects.filter(venue_id__in=other_ids).update(venue=keep)
    names = [v.name for v in others]
    # Their URLs (pages, feeds, `?venue=`) now lead to `keep`.
    record_merge(keep, others)
    Venue.objects.filter(pk__in=other_ids).delete()
    taken = set(VenueAlias.objects.filter(name__in=names).values_list("name", flat=True))
    VenueAlias.objects.bulk_create(
        [VenueAlias(venue=keep, name=name) for name in names if name not in taken]
    )
    note = f"venues merged: {', '.join(names)} into {keep.name}"
    record_states(before, kind="merge", user=user, note=note)
    return keep
