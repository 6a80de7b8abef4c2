"""Near-identical titles are flagged, not merged (merge._flag_near_duplicate_titles)."""

import random
from collections import defaultdict

import pytest
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


def _word(rng):
    syllables = rng.randint(2, 4)
    return "".join(rng.choice("bcdfglmnprstv") + rng.choice("aeiou") for _ in range(syllables))


def _near_duplicate(title, rng, vocabulary):
    """A variant of the kinds listings produce: a typo, one word changed, a
    word added or dropped at the start or the end."""
    words = title.split()
    kind = rng.choice(["typo", "word", "suffix", "prefix", "drop-last"])
    if kind == "typo":
        place = rng.randrange(len(title))
        return title[:place] + rng.choice("aeiouxz") + title[place + rng.randint(0, 1) :]
    if kind == "word":
        words[rng.randrange(len(words))] = rng.choice(vocabulary)
    elif kind == "suffix":
        words.append(rng.choice(vocabulary))
    elif kind == "prefix":
        words.insert(0, rng.choice(vocabulary).title())
    else:
        words.pop()
    return " ".join(words)


def generated_titles(seed, count=1500, planted=120):
    """Titles in a few big blocks (shared beginnings and endings, as the
    generated benchmark catalogue has), with near-duplicates planted among them."""
    rng = random.Random(seed)
    vocabulary = [_word(rng) for _ in range(400)]
    openings = ["On the Role of", "Towards Better", "Learning to"]
    endings = ["at Scale", "for Language Models", ""]
    titles = []
    for _ in range(count):
        middle = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 7)))
        titles.append(f"{rng.choice(openings)} {middle} {rng.choice(endings)}".strip())
    for _ in range(planted):
        place = rng.randrange(len(titles) + 1)
        titles.insert(place, _near_duplicate(rng.choice(titles), rng, vocabulary))
    return titles


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sorted_neighbours_flag_what_the_pairwise_definition_flags(seed):
    # Blocks far bigger than compared pair by pair: each title meets only its
    # 40 neighbours in key order (shared beginning) or reversed-key order.
    titles = generated_titles(seed)
    fast, reference = drafts_titled(*titles), drafts_titled(*titles)
    _flag_near_duplicate_titles(fast, compare_all_up_to=50)
    flag_pairwise(reference)
    assert [d.review_reasons for d in fast] == [d.review_reasons for d in reference]
    assert sum(bool(d.review_reasons) for d in reference) > 100


def test_a_pair_differing_at_both_ends_inside_a_crowd_is_the_known_miss():
    # More titles than `neighbours` share the pair's whole common beginning
    # ("on the role of x", and sort between the two), every word the pair
    # shares is in more than `neighbours` titles of the block, and the pair
    # shares no ending: the pairwise definition flags it, the blocking does not.
    crowd = [f"On the Role of Xc{n:03d} in Large Language Models" for n in range(30)]
    pair = [
        "On the Role of Xb in Large Language Models",
        "On the Role of Xz in Large Language Modes",
    ]
    titles = [pair[0], *crowd, pair[1]]
    fast, reference = drafts_titled(*titles), drafts_titled(*titles)
    flag_pairwise(reference)
    _flag_near_duplicate_titles(fast, compare_all_up_to=10, neighbours=5)
    assert "Modes" in reference[0].review_reasons[-1]
    assert not any("Modes" in reason for reason in fast[0].review_reasons)
    # With room for the crowd, the same call finds it.
    _flag_near_duplicate_titles(fast, compare_all_up_to=10, neighbours=40)
    assert "Modes" in fast[0].review_reasons[-1]
