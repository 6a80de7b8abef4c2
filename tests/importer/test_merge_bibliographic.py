"""Merging BibTeX and lookup entries with each other: one paper per DOI, and a
preprint server never outranks the venue a paper was published at."""

from catalog.importer.bibtex import parse_bibtex
from catalog.importer.merge import merge_entries


def entries(text: str):
    return parse_bibtex(text, source_file="lab.bib").entries


def test_entries_sharing_a_doi_in_any_case_are_one_paper():
    (draft,) = merge_entries(
        entries(
            "@article{a, title={One title}, doi={10.18653/v1/2023.findings-emnlp.936}}\n"
            "@article{b, title={Another title}, doi={10.18653/V1/2023.FINDINGS-EMNLP.936}}\n"
        )
    )
    assert len(draft.entries) == 2


def test_a_conference_venue_wins_over_the_preprint_server_without_a_doubt():
    (draft,) = merge_entries(
        entries(
            "@misc{a, title={Sparse maximal update parameterization}, eprint={2405.15743},"
            " archivePrefix={arXiv}, year={2024}}\n"
            "@inproceedings{b, title={Sparse maximal update parameterization},"
            " booktitle={Advances in Neural Information Processing Systems 37}, year={2024}}\n"
        )
    )
    assert draft.venue_name == "NeurIPS"
    assert draft.venue_detail == "Advances in Neural Information Processing Systems 37"
    assert draft.arxiv_id == "2405.15743"
    assert not any("different venues" in reason for reason in draft.review_reasons)


def test_two_real_venues_still_disagree():
    (draft,) = merge_entries(
        entries(
            "@inproceedings{a, title={Same}, booktitle={International Conference on Machine"
            " Learning}}\n@inproceedings{b, title={Same}, booktitle={International Conference"
            " on Learning Representations}}\n"
        )
    )
    assert "listings name different venues: ICML, ICLR" in draft.review_reasons
