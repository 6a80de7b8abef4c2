"""Search on SQLite: its FTS5 index (migration 0012), kept in step with the
paper table by triggers.

The index tokenizes as PostgreSQL's `english` configuration with `unaccent`
does (porter stemming, accents and case folded; unaccent's other letters
transliterated by the triggers), and the query drops PostgreSQL's English
stop words, so both databases find the same papers: "models" finds "model",
"laurencon" finds "Laurençon", "the pile" finds what "pile" finds.

User input never reaches FTS5's query syntax: a search is cut into words
(catalog.search.text.query_words(), letters and digits only) and each word
is a quoted FTS5 string, so AND, OR, NEAR, `*`, `:` and `^` are just words.
"""

from __future__ import annotations

from django.db.models import Case, ExpressionWrapper, FloatField, Func, Q, Value, When
from django.db.models.expressions import RawSQL

FTS_TABLE = "catalog_paper_fts"
# bm25() column weights: title, author names, abstract.
WEIGHTS = (10.0, 4.0, 1.0)
# Words this close (at most one word between: "reach for stars" minus its
# stop word) count as a phrase.
NEAR_DISTANCE = 1
# What a phrase adds to a title or head match's score.
PHRASE_SCORE = 0.5

# PostgreSQL's english.stop (the Snowball list): PostgreSQL leaves these out
# of documents and queries alike, so a query keeps only the other words.
_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def terms(words: list[str]) -> list[str]:
    return [word for word in words if word not in STOP_WORDS]


def _quoted(words: list[str]) -> str:
    return " ".join('"' + word.replace('"', '""') + '"' for word in terms(words))


def match_expression(words: list[str], columns: str = "") -> str:
    """An FTS5 query: every word (a quoted string, so never an operator), in
    `columns` ("title" or "title author_names") when given."""
    quoted = _quoted(words)
    return f"{{{columns}}} : ({quoted})" if columns else quoted


def near_expression(words: list[str], columns: str) -> str:
    """Every word, at most NEAR_DISTANCE words apart, in one of `columns`."""
    return f"{{{columns}}} : NEAR({_quoted(words)}, {NEAR_DISTANCE})"


def matching_ids(expression: str) -> RawSQL:
    return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])


def filter_search(queryset, words: list[str]):
    if not terms(words):
        return queryset.none()  # only stop words: nothing, as on PostgreSQL
    return queryset.filter(pk__in=matching_ids(match_expression(words)))


class Bm25Score(Func):
    """The paper's bm25() for an FTS5 query as a score in [0, 1), higher is
    better (FTS5's own is negative): a subquery on the paper's own row,
    through an expression, so that the id column is named right wherever
    the queryset is used."""

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):
        match_sql, match_params = compiler.compile(self.source_expressions[0])
        id_sql, id_params = compiler.compile(self.source_expressions[1])
        weights = ", ".join(str(weight) for weight in WEIGHTS)
        score = f"-bm25({FTS_TABLE}, {weights})"
        sql = (
            f"(SELECT {score} / ({score} + 1.0) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH {match_sql} AND {FTS_TABLE}.rowid = {id_sql})"
        )
        return sql, [*match_params, *id_params]


def _tier(expression: str, tier: int, phrase: str | None):
    """`tier` for the papers matching `expression`, + PHRASE_SCORE for those
    matching `phrase` too (ts_rank_cd's closeness on PostgreSQL)."""
    in_tier = Q(pk__in=matching_ids(expression))
    if phrase is None:
        return [When(in_tier, then=Value(float(tier)))]
    return [
        When(in_tier & Q(pk__in=matching_ids(phrase)), then=Value(tier + PHRASE_SCORE)),
        When(in_tier, then=Value(float(tier))),
    ]


def rank(words: list[str], tiers):
    """The sort key, higher first: the tier (every word in the title, every
    word in the title or author names, the rest) + a score in [0, 1): for the
    first two, whether the words stand together (in the title, or in the
    title or an author's name); for the rest, bm25 (title > authors >
    abstract)."""
    title, head, rest = tiers
    if not terms(words):
        return Value(float(rest), output_field=FloatField())
    several = len(terms(words)) > 1
    rest_score = ExpressionWrapper(
        Value(float(rest)) + Bm25Score(Value(match_expression(words)), "pk"),
        output_field=FloatField(),
    )
    return Case(
        *_tier(
            match_expression(words, "title"),
            title,
            near_expression(words, "title") if several else None,
        ),
        *_tier(
            match_expression(words, "title author_names"),
            head,
            near_expression(words, "title author_names") if several else None,
        ),
        default=rest_score,
        output_field=FloatField(),
    )
