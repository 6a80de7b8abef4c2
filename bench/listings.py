"""Generated listings in the three real formats (see fixtures/listings/), and
the importer measurements.

    python -m bench.listings parse --format blog --entries 100000
    python -m bench.listings import --entries 100000     (needs DATABASE_URL)

Each measurement runs in its own process (run.py starts them), so the peak
resident memory it reports (getrusage maxrss) belongs to that measurement
alone; it prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time

from bench.textgen import TextGen

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
HEADER_VENUES = ["ICLR", "NeurIPS", "ICML", "ACL", "EMNLP (Findings)", "arXiv", "TMLR", "COLM"]


def _names(text: TextGen, rng: random.Random, people: list[str]) -> list[str]:
    k = rng.choices(range(1, 9), [10, 18, 20, 18, 14, 10, 6, 4])[0]
    return rng.sample(people, k)


def _author_part(names: list[str], rng: random.Random) -> str:
    if len(names) > 4 and rng.random() < 0.3:
        return f"{', '.join(names[:3])}, et al."
    if len(names) == 1:
        return f"{names[0]}."
    return f"{', '.join(names[:-1])}, and {names[-1]}."


def blog_listing(entries: int, seed: int = 11) -> str:
    rng = random.Random(seed)
    text = TextGen(seed=seed, sentences=5000)
    people = [text.person_name(i) for i in range(max(50, entries // 2))]
    poster = "Stella Biderman"
    out = []
    for i in range(entries):
        venue = rng.choice(HEADER_VENUES)
        name = text.method_name(i)
        title = text.title(i, name)
        year = rng.randint(1995, 2025)
        out.append(f"{venue} {poster} {venue} {poster}\n\n{title}\n\n")
        if rng.random() < 0.55:  # as in the seed listings: 31 of 57 entries
            authors = _author_part(_names(text, rng, people), rng)
            where = (
                f"arXiv preprint arXiv:{year % 100:02d}{rng.randint(1, 12):02d}.{i:05d} ({year})."
                if venue == "arXiv" or rng.random() < 0.3
                else f"In Proceedings of {venue.split()[0]}, {year}."
            )
            award = " Outstanding Paper Award." if rng.random() < 0.02 else ""
            out.append(f'{authors} "{title}." {where}{award}\n\n')
        abstract = text.abstract(i, name)
        if rng.random() < 0.3:  # some abstracts come in two paragraphs
            cut = abstract.find(". ", len(abstract) // 2)
            if cut > 0:
                abstract = abstract[: cut + 1] + "\n\n" + abstract[cut + 2 :]
        out.append(f"{abstract}\n\nRead More\n")
    return "".join(out)


def abstracts_listing(entries: int, seed: int = 12) -> str:
    text = TextGen(seed=seed, sentences=5000)
    return "".join(f"Abstract:{text.abstract(i)}\n" for i in range(entries))


def daily_listing(entries: int, seed: int = 13) -> str:
    rng = random.Random(seed)
    text = TextGen(seed=seed, sentences=5000)
    out = [
        "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
        "byAK and the research community\n\nNov 6\n\n"
    ]
    for i in range(entries):
        name = text.method_name(i)
        out.append(f"{text.title(i, name)}\n\n{text.abstract(i, name)}\n\n")
        if rng.random() < 0.9:
            out.append(f"  \u2022 {rng.randint(1, 40)} authors\n\u00b7\n")
        year = rng.randint(2019, 2025)
        out.append(f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {year} {rng.randint(0, 400)}\n\n")
    return "".join(out)


GENERATORS = {"blog": blog_listing, "abstracts": abstracts_listing, "daily": daily_listing}


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _parse(data: bytes, name: str):
    from catalog.importer.parsing import decode_listing, parse_listing

    return parse_listing(decode_listing(data, name), source_file=name, skip_bad=True, prepared=True)


def measure_parse(fmt: str, entries: int) -> dict:
    import django

    django.setup()
    data = GENERATORS[fmt](entries).encode()
    before = _maxrss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    listing = _parse(data, f"bench-{fmt}.txt")
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {
        "format": fmt,
        "entries": len(listing.entries),
        "skipped": len(listing.skipped),
        "bytes": len(data),
        "seconds": round(seconds, 2),
        "rate": round(len(listing.entries) / seconds),
        "cpu_seconds": round(cpu_seconds, 2),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(_maxrss_mb()),
    }


def measure_import(entries: int, fmt: str = "blog") -> dict:
    import django

    django.setup()
    from catalog.importer.merge import merge_entries
    from catalog.importer.service import import_listings

    data = GENERATORS[fmt](entries).encode()
    listing = _parse(data, f"bench-import-{fmt}.txt")
    del data
    before = _maxrss_mb()
    started = time.perf_counter()
    drafts = merge_entries(listing.entries)
    merge_seconds = time.perf_counter() - started
    del drafts
    started, cpu_started = time.perf_counter(), time.process_time()
    report = import_listings([listing])
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {
        "format": fmt,
        "entries": len(listing.entries),
        "created": len(report.created),
        "flagged": len(report.flagged),
        "merge_seconds": round(merge_seconds, 1),
        "seconds": round(seconds, 1),
        # This process's CPU (its threads' included; not the server's):
        # comparable across runs when other work shares the machine.
        "cpu_seconds": round(cpu_seconds, 1),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(_maxrss_mb()),
    }


def main(argv=None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["parse", "import", "write"])
    parser.add_argument("--format", choices=sorted(GENERATORS), default="blog")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--out", help="for `write`: where to write the listing")
    args = parser.parse_args(argv)
    if args.what == "write":
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(GENERATORS[args.format](args.entries))
        return 0
    if args.what == "parse":
        result = measure_parse(args.format, args.entries)
    else:
        result = measure_import(args.entries, args.format)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
