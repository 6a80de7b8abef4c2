"""Writes that touch several venues at once."""

from collections.abc import Iterable

from django.db import transaction

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
    keep.papers.model.objects.filter(venue_id__in=other_ids).update(venue=keep)
    VenueAlias.objects.filter(venue_id__in=other_ids).update(venue=keep)
    names = [v.name for v in others]
    Venue.objects.filter(pk__in=other_ids).delete()
    taken = set(VenueAlias.objects.filter(name__in=names).values_list("name", flat=True))
    VenueAlias.objects.bulk_create(
        [VenueAlias(venue=keep, name=name) for name in names if name not in taken]
    )
    note = f"venues merged: {', '.join(names)} into {keep.name}"
    record_states(before, kind="merge", user=user, note=note)
    return keep
