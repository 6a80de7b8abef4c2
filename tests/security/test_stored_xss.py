"""Stored XSS: papers, people, venues and awards whose text holds
`<script>`, `"><img onerror=…>` and `</script>`, imported from a listing and
entered in the admin, show escaped on every page, feed and export."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from catalog.models import Award, Paper
from people.models import Person
from tests.security.conftest import inline_code, public_urls
from venues.models import Venue

pytestmark = pytest.mark.django_db

HOSTILE = 'Evil <script>alert(1)</script> "><img src=x onerror=alert(2)> </script>'
# Any of these in HTML or XML markup means the text was not escaped.
DANGEROUS = ["<script>alert", "<img src=x", "</script> "]

LISTING = """\
ICLR <script>alert(1)</script> Stella Biderman ICLR <script>alert(1)</script> Stella Biderman

Imported {hostile} Paper

Mallory Evil, and Stella Biderman. "Imported Paper" In Proceedings of the </script><script>alert(4)</script> Workshop, 2023. "><img src=x onerror=alert(5)></script> Award.

An abstract with {hostile} and $\\text{{<img src=x onerror=alert(8)>}}$ math and </script>.

Read More
"""  # noqa: E501


class FormScraper(HTMLParser):
    """The fields an admin form would submit, as a browser would fill them in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def admin_save(client: Client, url: str, changes: dict) -> None:
    page = client.get(url)
    assert page.status_code == 200, url
    scraper = FormScraper()
    scraper.feed(page.content.decode())
    data = {**scraper.data, **{k: v if isinstance(v, list) else [v] for k, v in changes.items()}}
    data = {key: [value.lstrip("\n") for value in values] for key, values in data.items()}
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        form.errors for form in [response.context.get("adminform")] if form
    ]


@pytest.fixture
def hostile_catalog(tmp_path, django_user_model):
    # Imported from a listing: title, abstract, citation, venue (header), award (citation tail).
    listing = tmp_path / "hostile.txt"
    listing.write_text(LISTING.format(hostile=HOSTILE), encoding="utf-8")
    call_command("import_listings", str(listing), verbosity=0)
    imported = Paper.objects.get(title__startswith="Imported")

    # Entered in the admin: a person, venue, award and paper, and the paper linked to them.
    staff = Client()
    staff.force_login(django_user_model.objects.create_superuser("curator", "c@x.org", "pw"))
    admin_save(staff, reverse("admin:people_person_add"), {"name": f"Eve {HOSTILE}"})
    admin_save(
        staff,
        reverse("admin:venues_venue_add"),
        {"name": f"Venue {HOSTILE}", "full_name": f"Full {HOSTILE}"},
    )
    admin_save(staff, reverse("admin:catalog_award_add"), {"name": f"Award {HOSTILE}"})
    person = Person.objects.get(name__startswith="Eve ")
    venue = Venue.objects.get(name__startswith="Venue ")
    award = Award.objects.get(name__startswith="Award ")
    admin_save(
        staff,
        reverse("admin:catalog_paper_add"),
        {
            "title": f"Admin {HOSTILE}",
            "abstract": f"Abstract {HOSTILE}",
            "citation": f"Citation {HOSTILE}",
            "venue_detail": f"Detail {HOSTILE}",
            "review_note": f"Note {HOSTILE}",
            "venue": str(venue.pk),
            "awards": [str(award.pk)],
            "year": "2024",
            "authorships-TOTAL_FORMS": "1",
            "authorships-0-person": str(person.pk),
            "authorships-0-position": "1",
        },
    )
    entered = Paper.objects.get(title__startswith="Admin ")
    assert entered.authorships.get().person == person
    # Also the imported paper gets the hostile person as a second author.
    staff_paper_url = reverse("admin:catalog_paper_change", args=[imported.pk])
    admin_save(staff, staff_paper_url, {"review_note": f"Imported note {HOSTILE}"})
    imported.refresh_from_db()
    assert "<script>" in imported.title and "<script>" in imported.abstract
    assert imported.venue and "<script>" in imported.venue.name
    assert any("onerror" in a.name for a in imported.awards.all())
    return {
        Paper: [imported.slug, entered.slug],
        Person: [person.slug, *imported.authorships.values_list("person__slug", flat=True)],
        Venue: [venue.slug, imported.venue.slug],
        Award: [award.slug, *imported.awards.values_list("slug", flat=True)],
    }


def body_of(response) -> str:
    raw = b"".join(response) if response.streaming else response.content
    return raw.decode("utf-8")


def check_html(url: str, html: str) -> list[str]:
    problems = [f"{url}: {marker!r} unescaped" for marker in DANGEROUS if marker in html]
    problems += [f"{url}: {problem}" for problem in inline_code(html)]
    # JSON-LD, if any, must stay one valid JSON document.
    for block in html.split('<script type="application/ld+json">')[1:]:
        try:
            json.loads(block.split("</script>")[0])
        except ValueError as error:
            problems.append(f"{url}: JSON-LD broken by the text ({error})")
    return problems


def check_xml(url: str, text: str) -> list[str]:
    problems = [f"{url}: {marker!r} unescaped" for marker in DANGEROUS if marker in text]
    root = ET.fromstring(text.encode())
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        # RSS descriptions and Atom html content are HTML once decoded: they
        # must still hold only escaped text.
        is_html = tag == "description" or element.get("type") in ("html", "xhtml")
        if is_html and element.text:
            problems += [
                f"{url}: <{tag}> decodes to HTML with {marker!r}"
                for marker in DANGEROUS
                if marker in element.text
            ]
    return problems


def test_hostile_text_shows_escaped_everywhere(client, hostile_catalog):
    urls = public_urls(hostile_catalog)
    urls += ["/papers/?q=evil", "/papers/?q=script", "/people/?q=eve"]
    problems: list[str] = []
    seen_escaped = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        content_type = response["Content-Type"]
        text = body_of(response)
        if content_type.startswith("text/html"):
            problems += check_html(url, text)
            seen_escaped += "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        elif "xml" in content_type or "rss" in content_type or "atom" in content_type:
            problems += check_xml(url, text)
        else:
            # Exports (BibTeX, RIS, CSL-JSON) and plain text carry the text as
            # data: never served as something a browser would render.
            assert response["X-Content-Type-Options"] == "nosniff", url
            assert not content_type.startswith(("text/html", "image/svg")), url
            if "json" in content_type:
                json.loads(text)
    assert problems == []
    # The hostile text was really on the pages (escaped), not filtered out.
    assert seen_escaped >= 8


def test_the_admin_shows_hostile_text_escaped(hostile_catalog, django_user_model):
    staff = Client()
    staff.force_login(django_user_model.objects.create_superuser("c2", "c2@x.org", "pw"))
    paper = Paper.objects.get(slug=hostile_catalog[Paper][1])
    problems: list[str] = []
    for url in [
        reverse("admin:catalog_paper_changelist"),
        reverse("admin:catalog_paper_changelist") + "?q=evil",
        reverse("admin:catalog_paper_change", args=[paper.pk]),
        reverse("admin:people_person_changelist"),
        reverse("admin:venues_venue_changelist"),
        reverse("admin:catalog_award_changelist"),
    ]:
        response = staff.get(url)
        assert response.status_code == 200, url
        html = body_of(response)
        problems += [f"{url}: {m!r} unescaped" for m in DANGEROUS if m in html]
    assert problems == []
