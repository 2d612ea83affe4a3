"""Full-text article search on the database's own text search, ranked, with highlights.

- SQLite: the external-content FTS5 table `articles_fts` (porter stemming), kept in sync with
  `articles` by triggers; ranked by bm25(), highlights from highlight()/snippet().
- PostgreSQL: a GIN index on the stored, weighted tsvector column PG_DOCUMENT (title A,
  description B, body C); ranked by ts_rank(), highlights from ts_headline().

Both index the default locale's title/description/body_text and the other locales' in
translated_titles/translated_descriptions/translated_body_text (one line per locale, written by
the service). A highlighted title is the default one when it matches, else the first matching
translated title; summaries come from whichever descriptions/bodies match.

The migration 0003_help_center creates both.

Highlights come back with private-use markers around each match and are split into the
[{type: "highlight"|"plain", text}] chunks of article_search_highlights.
"""

from __future__ import annotations

import re

from sqlalchemy import Select, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from opencom.articles.models import Article

START, STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{START}(.*?){STOP}", re.DOTALL)
_WORD = re.compile(r"\w+", re.UNICODE)
SNIPPET_WORDS = 24

# A stored generated tsvector column with a GIN index, created by migration 0003_help_center.
PG_DOCUMENT = literal_column("articles.search_document")
_FTS = table("articles_fts", column("rowid"))
_FTS_TABLE = literal_column("articles_fts")


def words(phrase: str) -> list[str]:
    return _WORD.findall(phrase)


def _sqlite_match(phrase: str) -> str:
    # Every word quoted: FTS5 syntax characters in a phrase are text, never operators.
    return " ".join(f'"{word}"' for word in words(phrase))


def _pg_query(phrase: str):
    return func.plainto_tsquery(literal_column("'english'::regconfig"), bindparam("phrase", phrase))


def matching(session: Session, query: Select, phrase: str) -> tuple[Select, list]:
    """`query` (over Article) narrowed to the phrase's matches, and the best-first order."""
    if session.bind.dialect.name == "postgresql":
        tsquery = _pg_query(phrase)
        narrowed = query.where(PG_DOCUMENT.op("@@")(tsquery))
        return narrowed, [func.ts_rank(PG_DOCUMENT, tsquery).desc(), Article.id.desc()]
    # The matches are ranked once, in a materialized CTE, and joined by rowid. Joined directly,
    # SQLite may drive the join from `articles` and run the MATCH once per article: seconds at
    # 100,000 articles. bm25 is smaller for better matches; a title (in any locale) weighs most.
    ranked = (
        select(_FTS.c.rowid.label("rowid"), func.bm25(_FTS_TABLE, 10.0, 4.0, 1.0, 10.0, 4.0, 1.0).label("rank"))
        .select_from(_FTS)
        .where(_FTS_TABLE.op("MATCH")(_sqlite_match(phrase)))
        .cte("article_matches")
        .prefix_with("MATERIALIZED")
    )
    narrowed = query.join(ranked, ranked.c.rowid == Article.id)
    return narrowed, [ranked.c.rank.asc(), Article.id.desc()]


def highlights(session: Session, phrase: str, articles: list[Article]) -> list[dict]:
    """One article_search_highlights entry per article, in the same order."""
    if not articles:
        return []
    ids = [a.id for a in articles]
    if session.bind.dialect.name == "postgresql":
        marked = _pg_marked(session, phrase, ids)
    else:
        marked = _sqlite_marked(session, phrase, ids)
    entries = []
    for article in articles:
        title, translated_title, *summaries = marked.get(article.id, (article.title, ""))
        if START not in (title or ""):
            title = _marked_line(translated_title) or title
        summaries = summaries[:2] + [_marked_line(s) for s in summaries[2:]]
        entries.append({
            "article_id": str(article.id),
            "highlighted_title": chunks(title or article.title),
            "highlighted_summary": [chunks(s) for s in summaries if s and START in s],
        })
    return entries


def _sqlite_marked(session: Session, phrase: str, ids: list[int]) -> dict[int, tuple]:
    query = text(
        "SELECT rowid, highlight(articles_fts, 0, :start, :stop), "
        "highlight(articles_fts, 3, :start, :stop), "
        "snippet(articles_fts, 1, :start, :stop, '…', :words), "
        "snippet(articles_fts, 2, :start, :stop, '…', :words), "
        "snippet(articles_fts, 4, :start, :stop, '…', :words), "
        "snippet(articles_fts, 5, :start, :stop, '…', :words) "
        "FROM articles_fts WHERE articles_fts MATCH :match AND rowid IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    params = {"start": START, "stop": STOP, "words": SNIPPET_WORDS, "match": _sqlite_match(phrase), "ids": ids}
    return {row[0]: tuple(row[1:]) for row in session.execute(query, params)}


def _pg_marked(session: Session, phrase: str, ids: list[int]) -> dict[int, tuple]:
    whole = f"HighlightAll=true, StartSel={START}, StopSel={STOP}"
    part = f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, StartSel={START}, StopSel={STOP}"
    tsquery = _pg_query(phrase)

    def headline(column, options):
        return func.ts_headline(literal_column("'english'::regconfig"), column, tsquery, options)

    query = select(
        Article.id,
        headline(Article.title, whole),
        headline(Article.translated_titles, whole),
        headline(Article.description, part),
        headline(Article.body_text, part),
        headline(Article.translated_descriptions, part),
        headline(Article.translated_body_text, part),
    ).where(Article.id.in_(ids))
    return {row[0]: tuple(row[1:]) for row in session.execute(query)}


def _marked_line(marked: str | None) -> str | None:
    """The first line (= locale) of a translated_* column's highlight that holds a match."""
    for line in (marked or "").split("\n"):
        if START in line:
            return line.strip()
    return None


def chunks(marked: str) -> list[dict]:
    """'a \ue000b\ue001 c' -> [plain 'a ', highlight 'b', plain ' c']."""
    found, position = [], 0
    for match in _MARKED.finditer(marked):
        if match.start() > position:
            found.append({"type": "plain", "text": marked[position:match.start()]})
        found.append({"type": "highlight", "text": match.group(1)})
        position = match.end()
    if position < len(marked):
        found.append({"type": "plain", "text": marked[position:]})
    return found
