"""A small catalog whose every filter, facet and search result is known exactly
(the `catalog` fixture of tests/conftest.py: built once per session)."""

from catalog.models import Authorship, Paper
from tests.factories import make_award, make_paper, make_papers, make_person, make_venue


def build_small_catalog():
    icml = make_venue("ICML", kind="conference")
    neurips = make_venue("NeurIPS", kind="conference")
    arxiv = make_venue("arXiv", kind="preprint")
    oral = make_award("Oral Presentation")
    best = make_award("Outstanding Paper Award")
    stella = make_person("Stella Biderman")
    hailey = make_person("Hailey Schoelkopf")
    hugo = make_person("Hugo Laurençon")
    leo = make_person("Leo Gao")
    specs = {
        "pythia": {
            "title": "Pythia: A Suite for Analyzing Large Language Models",
            "venue": icml,
            "year": 2023,
            "authors": [stella, hailey, leo],
            "awards": [oral],
            "abstract": "How do large language models develop during training?",
            "upvotes": 50,
        },
        "pile": {
            "title": "The Pile: An 800GB Dataset of Diverse Text",
            "venue": arxiv,
            "year": 2020,
            "authors": [leo, stella],
            "abstract": "We study data for training. Pythia later used this dataset.",
            "upvotes": 10,
        },
        "obelics": {
            "title": "OBELICS: An Open Web-Scale Filtered Dataset",
            "venue": neurips,
            "year": 2023,
            "authors": [hugo, stella],
            "awards": [best],
            "abstract": "Interleaved image-text documents.",
        },
        "gptneox": {
            "title": "GPT-NeoX-20B: An Open-Source Autoregressive Language Model",
            "venue": icml,
            "year": 2022,
            "authors": [stella, leo, hailey],
            "awards": [oral, best],
            "abstract": r"A 20B model with $\mathcal{O}(T^2)$ attention and S$\mu$Par.",
            "upvotes": 30,
        },
        "lone": {"title": "A Paper Without Venue", "year": 2022, "authors": [hailey]},
    }
    papers = dict(zip(specs, make_papers(specs.values()), strict=True))
    return {
        "venues": {"icml": icml, "neurips": neurips, "arxiv": arxiv},
        "awards": {"oral": oral, "best": best},
        "people": {"stella": stella, "hailey": hailey, "hugo": hugo, "leo": leo},
        "papers": papers,
    }


def titles(response):
    assert response.status_code == 200, response.status_code
    return [paper.title for paper in response.context["object_list"]]


def keys(catalog, response):
    by_title = {paper.title: key for key, paper in catalog["papers"].items()}
    return [by_title[title] for title in titles(response)]


def make_truncated_paper(venue=None):
    """A paper whose listing said "(incl. Tow, Biderman) et al."."""
    paper = make_paper("Truncated Listing Paper", venue=venue, year=2021, authors_complete=False)
    Authorship.objects.create(paper=paper, person=make_person("Jonathan Tow"), position=None)
    Paper.objects.filter(pk=paper.pk).refresh_search_index()
    return paper
