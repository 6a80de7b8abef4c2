"""Near-identical titles are flagged, not merged (merge._flag_near_duplicate_titles)."""

import random
from collections import defaultdict

from rapidfuzz import fuzz

from catalog.importer.merge import (
    _TITLE_SCORE_CUTOFF,
    SAME_TITLE_DOUBT_SCORE,
    PaperDraft,
    _flag_near_duplicate_titles,
)


def drafts_titled(*titles):
    return [PaperDraft(entries=[], title=title) for title in titles]


def flag_pairwise(drafts):
    """The definition, one fuzz.ratio() call per pair in block order."""
    by_block = defaultdict(list)
    keys = [d.title_key if not d.title_is_provisional else "" for d in drafts]
    for i, key in enumerate(keys):
        if key:
            by_block[key[:12]].append(i)
            by_block["$" + key[-12:]].append(i)
    for block in by_block.values():
        for x, i in enumerate(block):
            for j in block[x + 1 :]:
                if keys[i] == keys[j]:
                    continue
                score = round(fuzz.ratio(keys[i], keys[j], score_cutoff=_TITLE_SCORE_CUTOFF))
                if score >= SAME_TITLE_DOUBT_SCORE:
                    drafts[i].flag(f"title is {score}% similar to “{drafts[j].title}”; not merged")
                    drafts[j].flag(f"title is {score}% similar to “{drafts[i].title}”; not merged")


def test_a_near_identical_title_is_flagged_on_both_drafts():
    drafts = drafts_titled(
        "Scaling Laws for Neural Language Models",
        "Scaling Laws for Neural Language Model",
        "Something Else Entirely",
    )
    _flag_near_duplicate_titles(drafts)
    assert drafts[0].review_reasons == [
        "title is 99% similar to “Scaling Laws for Neural Language Model”; not merged"
    ]
    assert drafts[1].review_reasons == [
        "title is 99% similar to “Scaling Laws for Neural Language Models”; not merged"
    ]
    assert drafts[2].review_reasons == []


def test_equal_title_keys_and_distant_titles_are_not_flagged():
    drafts = drafts_titled(
        "Pythia: A Suite", "PYTHIA: a suite", "Pythia: A Suite for Analysing Models"
    )
    _flag_near_duplicate_titles(drafts)
    assert all(d.review_reasons == [] for d in drafts)


def test_the_flags_are_those_of_the_pairwise_definition_in_the_same_order():
    # Many titles sharing their first and last words, with small edits: big
    # blocks, scores around the threshold.
    rng = random.Random(7)
    words = ["model", "models", "language", "scaling", "laws", "of", "neural", "data", "a"]
    titles = []
    for _ in range(400):
        middle = " ".join(rng.choice(words) for _ in range(rng.randint(2, 6)))
        title = f"Efficient Training of {middle} at Scale"
        if rng.random() < 0.3:
            place = rng.randrange(len(title))
            title = title[:place] + rng.choice("aeiou ") + title[place + 1 :]
        titles.append(title)
    fast, reference = drafts_titled(*titles), drafts_titled(*titles)
    _flag_near_duplicate_titles(fast)
    flag_pairwise(reference)
    assert [d.review_reasons for d in fast] == [d.review_reasons for d in reference]
    assert sum(bool(d.review_reasons) for d in fast) > 50
