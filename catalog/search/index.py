"""The search index's stored fields: `author_names` (both databases) and on
PostgreSQL the weighted vectors, and how writers refresh them."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.db import connections
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL

from catalog.search.text import Unaccent, uses_postgres

SEARCH_CONFIG = "english"


def search_vector_expression():
    return (
        SearchVector(Unaccent(F("title")), weight="A", config=SEARCH_CONFIG)
        + SearchVector(Unaccent(F("author_names")), weight="B", config=SEARCH_CONFIG)
        + SearchVector(Unaccent(F("abstract")), weight="C", config=SEARCH_CONFIG)
    )


def head_vector_expression():
    """The title (A) and author names (B) only: see Paper.head_vector."""
    return SearchVector(Unaccent(F("title")), weight="A", config=SEARCH_CONFIG) + SearchVector(
        Unaccent(F("author_names")), weight="B", config=SEARCH_CONFIG
    )


def for_ascii_text(expression):
    """`expression` without its unaccent() calls: the same value wherever the
    text it reads is ASCII, since unaccent's rules map no ASCII character
    (see search.postgres.unaccented()), without unaccent's pass over it."""
    if isinstance(expression, Unaccent):
        return for_ascii_text(expression.get_source_expressions()[0])
    if not hasattr(expression, "get_source_expressions"):
        return expression  # F(), Value(): nothing below
    expression = expression.copy()
    expression.set_source_expressions(
        [for_ascii_text(source) for source in expression.get_source_expressions()]
    )
    return expression


def search_fields_update(model) -> dict:
    """update() keyword arguments that recompute the stored vectors from the row
    (`head_vector` only where the model has it: migration 0003's does not)."""
    values = {"search_vector": search_vector_expression()}
    if any(field.name == "head_vector" for field in model._meta.get_fields()):
        values["head_vector"] = head_vector_expression()
    return values


def join_author_names(names: list[str], variants: list[str]) -> str:
    """Paper.author_names: the authors' names in author order, then each
    author's name variants in author order (each person's by name),
    "; "-separated. The one definition; author_names_sql() is its SQL form."""
    return "; ".join([*names, *variants])


def name_variants(person_ids, *, alias_model, using) -> dict[int, list[str]]:
    """Each person's name variants, ordered by name as the database orders them."""
    aliases = alias_model.objects.using(using).order_by("name")
    if uses_postgres(connections[using]):
        # One array parameter rather than an IN list of thousands (the importer).
        column = connections[using].ops.quote_name(alias_model._meta.get_field("person").column)
        ids = RawSQL(f"{column} = ANY(%s)", [list(person_ids)], output_field=BooleanField())
        aliases = aliases.filter(ids)
    else:
        aliases = aliases.filter(person_id__in=person_ids)
    variants: dict[int, list[str]] = {}
    for person_id, name in aliases.values_list("person_id", "name"):
        variants.setdefault(person_id, []).append(name)
    return variants


def author_names_by_paper(paper_ids, *, authorship_model, alias_model, using) -> dict[int, str]:
    """Each paper's author_names (join_author_names()), read row by row."""
    names: dict[int, list[str]] = {pk: [] for pk in paper_ids}
    rows = (
        authorship_model.objects.using(using)
        .filter(paper_id__in=paper_ids)
        .order_by(F("position").asc(nulls_last=True), "id")
        .values_list("paper_id", "person_id", "person__name")
    )
    people_by_paper: dict[int, list[int]] = {}
    for paper_id, person_id, name in rows:
        names[paper_id].append(name)
        people_by_paper.setdefault(paper_id, []).append(person_id)
    person_ids = {pid for pids in people_by_paper.values() for pid in pids}
    variants = name_variants(person_ids, alias_model=alias_model, using=using)
    return {
        pk: join_author_names(
            paper_names,
            [v for pid in people_by_paper.get(pk, ()) for v in variants.get(pid, ())],
        )
        for pk, paper_names in names.items()
    }


_PG_BATCH = 5000


def author_names_sql(paper_model, *, authorship_model, alias_model, connection, ids=True) -> str:
    """join_author_names() as one PostgreSQL UPDATE of `paper_model`'s
    author_names: "" for a paper without authors. With `ids`, for the papers
    whose ids are the parameter %(ids)s (an array); otherwise for every paper.
    Table and column names come from the models, so historical models
    (migrations) and renamed tables work too."""
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    person_model = authorship_model._meta.get_field("person").related_model
    a_paper, a_person = column(authorship_model, "paper"), column(authorship_model, "person")
    a_order = (
        f"a.{column(authorship_model, 'position')} NULLS LAST, a.{column(authorship_model, 'id')}"
    )
    al_person, al_name = column(alias_model, "person"), column(alias_model, "name")
    if ids:
        paper_ids = "unnest(%(ids)s::bigint[]) AS ids(id)"
        in_ids = "= ANY(%(ids)s::bigint[])"
        alias_filter = (
            f"WHERE {al_person} IN (SELECT {a_person} FROM {table(authorship_model)} "
            f"WHERE {a_paper} {in_ids})"
        )
        authorship_filter = f"WHERE a.{a_paper} {in_ids}"
    else:
        paper_ids = f"(SELECT {column(paper_model, 'id')} FROM {table(paper_model)}) AS ids(id)"
        alias_filter = authorship_filter = ""
    return f"""
UPDATE {table(paper_model)} p
SET {column(paper_model, "author_names")} = COALESCE(s.names || COALESCE('; ' || s.aliases, ''), '')
FROM {paper_ids}
LEFT JOIN (
    SELECT a.{a_paper} AS paper_id,
           string_agg(pe.{column(person_model, "name")}, '; ' ORDER BY {a_order}) AS names,
           string_agg(al.names, '; ' ORDER BY {a_order}) AS aliases
    FROM {table(authorship_model)} a
    JOIN {table(person_model)} pe ON pe.{column(person_model, "id")} = a.{a_person}
    LEFT JOIN (
        SELECT {al_person} AS person_id, string_agg({al_name}, '; ' ORDER BY {al_name}) AS names
        FROM {table(alias_model)}
        {alias_filter}
        GROUP BY {al_person}
    ) al ON al.person_id = a.{a_person}
    {authorship_filter}
    GROUP BY a.{a_paper}
) s ON s.paper_id = ids.id
WHERE p.{column(paper_model, "id")} = ids.id
"""


def refresh_search_index(queryset, *, authorship_model, alias_model, batch_size=500) -> int:
    """Recompute `author_names` for `queryset`, and on PostgreSQL the stored
    vectors; on SQLite the FTS5 index follows the rows by itself (triggers,
    migration 0012).

    A fixed number of queries per batch of papers, never one per paper. Works
    with migration-time historical models too (it uses only fields), and on
    the queryset's own database.
    """
    model, using = queryset.model, queryset.db
    papers_table = model._base_manager.using(using)
    ids = list(queryset.order_by().values_list("pk", flat=True).distinct())
    if uses_postgres(connections[using]):
        # Two statements per 5,000 papers, computed by the database: the
        # importer refreshes 100,000 papers in seconds, not minutes.
        names_sql = author_names_sql(
            model,
            authorship_model=authorship_model,
            alias_model=alias_model,
            connection=connections[using],
        )
        for start in range(0, len(ids), _PG_BATCH):
            chunk = ids[start : start + _PG_BATCH]
            with connections[using].cursor() as cursor:
                cursor.execute(names_sql, {"ids": chunk})
            papers_table.filter(pk__in=chunk).update(**search_fields_update(model))
        return len(ids)
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        names = author_names_by_paper(
            chunk, authorship_model=authorship_model, alias_model=alias_model, using=using
        )
        papers = [model(pk=pk, author_names=text) for pk, text in names.items()]
        papers_table.bulk_update(papers, ["author_names"])
    return len(ids)
