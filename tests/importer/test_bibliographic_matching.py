"""BibTeX entries against the seed catalog: shortened titles, doubts, equal
contributions and people written with initials."""

from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import Paper
from people.models import Person, PersonAlias

# Every test here starts from the seed catalog.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed")]

T0_AUTHORS = (
    "Victor Sanh and Albert Webson and Colin Raffel and Stephen H. Bach and Lintang Sutawika and "
    "Zaid Alyafeai and Antoine Chaffin and Arnaud Stiegler and Teven Le Scao and Arun Raja and "
    "Manan Dey and M. Saiful Bari and Canwen Xu and Urmish Thakker and Shanya Sharma Sharma and "
    "Eliza Szczechla and Taewoon Kim and Gunjan Chhablani and Nihal V. Nayak and Debajyoti Datta "
    "and Jonathan Chang and Mike Tian{-}Jian Jiang and Han Wang and Matteo Manica and Sheng Shen "
    "and Zheng Xin Yong and Harshit Pandey and Rachel Bawden and Thomas Wang and Trishala Neeraj "
    "and Jos Rozen and Abheesht Sharma and Andrea Santilli and Thibault F{\\'{e}}vry and Jason "
    "Alan Fries and Ryan Teehan and Stella Biderman and Leo Gao and Tali Bers and Thomas Wolf and "
    "Alexander M. Rush"
)


def import_bib(tmp_path, text: str) -> str:
    path = tmp_path / "lab.bib"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_listings", str(path), stdout=out, stderr=StringIO(), verbosity=2)
    return out.getvalue()


def test_a_complete_list_keeps_the_catalogs_equal_contribution_marks(tmp_path):
    import_bib(
        tmp_path,
        "@inproceedings{DBLP:conf/iclr/SanhWRBSACSRDBX22,\n"
        f"  author = {{{T0_AUTHORS}}},\n"
        "  title = {Multitask Prompted Training Enables Zero-Shot Task Generalization},\n"
        "  booktitle = {The Tenth International Conference on Learning Representations, {ICLR}"
        " 2022, Virtual Event, April 25-29, 2022},\n  year = {2022},\n}\n",
    )
    paper = Paper.objects.get(title__startswith="Multitask-prompted training")
    rows = list(paper.authorships.order_by("position"))
    assert len(rows) == 41 and paper.authors_complete
    assert [r.equal_contribution for r in rows[:5]] == [True, True, True, True, False]
    assert (rows[36].person.name, rows[36].position) == ("Stella Biderman", 37)
    assert rows[33].person.name == "Thibault Févry"


def test_a_shortened_title_is_the_paper_when_the_first_authors_agree(tmp_path):
    output = import_bib(
        tmp_path,
        "@misc{crowson2022vqgan, title = {{VQGAN-CLIP}},"
        " author = {Crowson, Katherine and Biderman, Stella and others},"
        " eprint = {2204.08583}, archivePrefix = {arXiv}, year = {2022}}\n",
    )
    assert "Papers: 0 created, 1 updated" in output
    paper = Paper.objects.get(title__startswith="VQGAN-CLIP: Open domain")
    assert paper.arxiv_id == "2204.08583"
    assert paper.venue.name == "ECCV"  # the preprint server did not replace it


def test_a_doubtful_match_is_flagged_never_merged_nor_duplicated(tmp_path):
    text = "@article{b, title = {Pythia}, author = {Gao, Leo}, year = {2023}}\n"
    output = import_bib(tmp_path, text)
    assert "Papers: 0 created" in output
    pythia = Paper.objects.get(title__startswith="Pythia: A Suite")
    assert pythia.needs_review
    assert (
        "lab.bib entry 1 (“Pythia”) may be this paper under a shorter or fuller title; not merged"
        in pythia.review_note
    )
    assert pythia.year is None and not pythia.authorships.exists()
    assert not Paper.objects.filter(title="Pythia").exists()
    assert "No changes" in import_bib(tmp_path, text)


def test_initials_resolve_to_the_one_person_they_fit(tmp_path):
    import_bib(
        tmp_path,
        "@article{new, title = {A New Paper on Evaluation}, author = {Biderman, S. and Gao, L.},"
        " year = {2024}}\n",
    )
    paper = Paper.objects.get(title="A New Paper on Evaluation")
    names = [a.person.name for a in paper.authorships.order_by("position")]
    assert names == ["Stella Biderman", "Leo Gao"]
    assert Person.objects.filter(name__endswith="Biderman").count() == 1
    assert PersonAlias.objects.filter(name="S. Biderman", person__name="Stella Biderman").exists()


def test_a_preprint_entry_fills_gaps_without_touching_the_real_venue(tmp_path):
    import_bib(
        tmp_path,
        "@article{biderman2023pythia, title={Pythia: A suite for analyzing large language models"
        " across training and scaling}, author={Biderman, Stella and others},"
        " journal={arXiv preprint arXiv:2304.01373}, year={2023}}\n",
    )
    pythia = Paper.objects.get(title__startswith="Pythia: A Suite")
    assert (pythia.venue.name, pythia.venue_detail) == ("ICML", "")
    assert (pythia.year, pythia.arxiv_id) == (2023, "2304.01373")
    # The year was the paper's only doubt: filled, the flag goes.
    assert pythia.review_note == "" and not pythia.needs_review
