"""The importer keys new papers one after another (citekeys.FreeKeys): the
keys must be those next_free_key() gives."""

import random

from catalog.citekeys import FreeKeys, key_suffix, next_free_key


def keys_one_by_one(bases, taken):
    keys = []
    for base in bases:
        keys.append(next_free_key(base, taken))
        taken.add(keys[-1])
    return keys


def test_the_suffixes_run_a_to_z_then_aa():
    assert [key_suffix(n) for n in (1, 2, 26, 27, 28, 52, 53, 702, 703)] == [
        "a",
        "b",
        "z",
        "aa",
        "ab",
        "az",
        "ba",
        "zz",
        "aaa",
    ]


def test_the_keys_are_those_next_free_key_gives():
    # Few bases, some the suffixed form of another ("smith2020" + "a"), many
    # repeats, and keys already taken in the catalog, including gaps.
    rng = random.Random(3)
    stems = ["smith2020", "smith2020a", "smith2020ab", "anon2021model", "anon", "anona"]
    bases = [rng.choice(stems) for _ in range(3000)]
    taken = {"smith2020", "smith2020b", "smith2020aa", "anon2021modelc", "anonaa"}
    keys = FreeKeys(set(taken))
    assert [keys.next_free(base) for base in bases] == keys_one_by_one(bases, set(taken))
