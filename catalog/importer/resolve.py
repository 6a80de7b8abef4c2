"""Who and what a listing names: people, venues and awards, matched to the
catalog's own or created (in memory: the writers save them).

Each resolver reads its table once, up front; after that, resolving is
pure, so the import can plan every paper without a query.
"""

from __future__ import annotations

from catalog.importer.bibliographic import initials_and_surname, initials_fit
from catalog.importer.names import is_surname_only
from catalog.importer.venues import canonical_venue_name, guess_venue_kind, known_venue
from catalog.models import Award
from core.slugs import next_free_slug, slug_base
from people.models import Person, PersonAlias
from venues.models import Venue, VenueAlias


class People:
    """Name -> person resolution over the catalog's people plus this run's new ones."""

    def __init__(self, using: str):
        self.using = using
        self.by_name: dict[str, Person] = {}
        self.by_alias: dict[str, set[int]] = {}
        self.people: dict[int, Person] = {}
        for person in Person.objects.using(using).only(
            "id", "name", "slug", "needs_review", "review_note"
        ):
            self.people[person.pk] = person
            self.by_name.setdefault(person.name.casefold(), person)
        for person_id, name in PersonAlias.objects.using(using).values_list("person_id", "name"):
            self.by_alias.setdefault(name.casefold(), set()).add(person_id)
        self.taken_slugs = {p.slug for p in self.people.values()}
        self.new_people: list[Person] = []
        self.new_aliases: list[tuple[Person, str]] = []
        self._aliased: set[tuple[int, str]] = set()
        self._surname_index: dict[str, list[Person]] | None = None
        # Catalog people known by a surname only, flagged in this run because
        # a full name with that surname arrived (written by the writers).
        self.flagged: list[Person] = []
        # {person id: (needs_review, review_note)} before this run flagged
        # them: an undo of the run puts it back.
        self.flagged_before: dict[int, tuple[bool, str]] = {}

    def known(self, name: str) -> Person | None:
        """The person this exact name or an alias of one person names, if any."""
        key = name.casefold()
        person = self.by_name.get(key)
        if person is None and len(self.by_alias.get(key, ())) == 1:
            person = self.people[next(iter(self.by_alias[key]))]
        return person

    def full_name(self, name: str) -> Person:
        person = self.known(name)
        if person is None:
            person = self._by_initials(name)
        if person is None:
            person = self._create(name)
            self._flag_surname_namesakes(person)
        return person

    def _by_initials(self, name: str) -> Person | None:
        """The one person "S. Biderman" can be (Stella Biderman), remembered
        as an alias; None when no one or several fit."""
        parsed = initials_and_surname(name)
        if parsed is None:
            return None
        fits = [p for p in self._candidates(parsed[1]) if initials_fit(name, p.name)]
        if len(fits) != 1:
            return None
        person = fits[0]
        self.by_name[name.casefold()] = person
        self.new_aliases.append((person, name))
        return person

    def _flag_surname_namesakes(self, person: Person) -> None:
        """A catalog person known only by a surname ("Schoelkopf", from an
        earlier listing's "(incl. ...)") may be the one whose full name just
        arrived ("Hailey Schoelkopf"). It may as well be someone else: the
        person is flagged for staff to merge, never merged by guess."""
        words = person.name.split()
        for start in range(1, len(words)):
            namesake = self.by_name.get(" ".join(words[start:]).casefold())
            if namesake is None or namesake.pk is None or not is_surname_only(namesake.name):
                continue
            note = (
                f"may be {person.name}, whose full name an import brought; "
                "merge the two in the admin if so"
            )
            if note not in namesake.review_note:
                self.flagged_before.setdefault(
                    namesake.pk, (namesake.needs_review, namesake.review_note)
                )
                namesake.needs_review = True
                namesake.review_note = "; ".join(filter(None, [namesake.review_note, note]))
                self.flagged.append(namesake)

    def _create(self, name: str, review_note: str = "") -> Person:
        slug = next_free_slug(slug_base(name, fallback="person"), self.taken_slugs)
        self.taken_slugs.add(slug)
        person = Person(
            name=name, slug=slug, needs_review=bool(review_note), review_note=review_note
        )
        self.new_people.append(person)
        self.by_name[name.casefold()] = person
        if self._surname_index is not None:
            # Kept up to date rather than rebuilt: a run that creates people
            # while resolving initials would otherwise rebuild it per person.
            self._index_surnames(self._surname_index, person)
        return person

    def candidates(self, surname: str) -> list[Person]:
        """People with a full name ending in `surname`, this run's new ones included."""
        return self._candidates(surname)

    def _candidates(self, surname: str) -> list[Person]:
        """People with a full name ending in `surname` ("Biderman" -> "Stella Biderman")."""
        if self._surname_index is None:
            index: dict[str, list[Person]] = {}
            for person in [*self.people.values(), *self.new_people]:
                self._index_surnames(index, person)
            self._surname_index = index
        return self._surname_index.get(surname.casefold(), [])

    @staticmethod
    def _index_surnames(index: dict[str, list[Person]], person: Person) -> None:
        words = person.name.casefold().split()
        for start in range(1, len(words)):
            index.setdefault(" ".join(words[start:]), []).append(person)

    def surname(self, surname: str, where: str) -> tuple[Person, bool]:
        """Resolve a surname-only mention; returns (person, resolved)."""
        key = surname.casefold()
        # An alias staff (or an earlier import) settled wins over guessing.
        alias_owners = [self.people[i] for i in self.by_alias.get(key, ()) if i in self.people]
        full_owners = [p for p in alias_owners if p.name.casefold() != key]
        if len(full_owners) == 1:
            return full_owners[0], True
        candidates = self._candidates(surname)
        if len(candidates) == 1:
            person = candidates[0]
            already = person.pk is not None and person.pk in self.by_alias.get(key, ())
            if not already and (id(person), key) not in self._aliased:
                self._aliased.add((id(person), key))
                self.new_aliases.append((person, surname))
            return person, True
        existing = self.by_name.get(key)
        if existing is not None:
            return existing, False
        others = ", ".join(sorted(p.name for p in candidates)) or "none"
        note = f"known only by the surname “{surname}” ({where}); people it could be: {others}"
        return self._create(surname, review_note=note), False


class Venues:
    def __init__(self, using: str):
        self.using = using
        self.by_name: dict[str, Venue] = {}
        venues = {v.pk: v for v in Venue.objects.using(using).only("id", "name", "slug")}
        for venue in venues.values():
            self.by_name[venue.name.casefold()] = venue
        for venue_id, name in VenueAlias.objects.using(using).values_list("venue_id", "name"):
            self.by_name.setdefault(name.casefold(), venues[venue_id])
        self.taken_slugs = {v.slug for v in venues.values()}
        self.new_venues: list[Venue] = []
        self.new_aliases: list[tuple[Venue, str]] = []

    def get(self, listing_name: str) -> Venue:
        venue = self.by_name.get(listing_name.casefold())
        if venue is None:
            name = canonical_venue_name(listing_name)
            venue = self.by_name.get(name.casefold())
        if venue is None:
            known = known_venue(name)
            slug = next_free_slug(slug_base(name, fallback="venue"), self.taken_slugs)
            self.taken_slugs.add(slug)
            venue = Venue(
                name=name,
                slug=slug,
                kind=guess_venue_kind(name),
                full_name=known.full_name if known else "",
                url=known.url if known else "",
            )
            self.new_venues.append(venue)
            self.by_name[name.casefold()] = venue
            for alias in known.aliases if known else ():
                self.new_aliases.append((venue, alias))
                self.by_name.setdefault(alias.casefold(), venue)
        return venue


class Awards:
    """Name -> award, over the catalog's awards plus this run's new ones."""

    def __init__(self, using: str):
        self.by_name = {a.name.casefold(): a for a in Award.objects.using(using)}
        self.taken_slugs = {a.slug for a in self.by_name.values()}
        self.new_awards: list[Award] = []

    def get(self, name: str) -> Award:
        award = self.by_name.get(name.casefold())
        if award is None:
            slug = next_free_slug(slug_base(name, fallback="award"), self.taken_slugs)
            self.taken_slugs.add(slug)
            award = self.by_name[name.casefold()] = Award(name=name, slug=slug)
            self.new_awards.append(award)
        return award
