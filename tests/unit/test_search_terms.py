"""Search documents and queries reduce Arabic the same way, so variants meet."""

from __future__ import annotations

from bot.services.search import MAX_TERMS, document, query_terms


def test_hamza_taa_marbuta_alef_maqsura_and_the_article_are_reduced_alike() -> None:
    indexed = document("إطلاق مبادرة الأمم المتحدة", "مستشفى الثورة")
    for query in ("اطلاق", "أطلاق", "الإطلاق", "مبادره", "امم", "مستشفي", "ثوره"):
        assert set(query_terms(query)) <= set(indexed.split())


def test_queries_become_words_only_never_syntax() -> None:
    assert query_terms("'; DROP TABLE articles; --") == ["drop", "table", "articles"]
    assert query_terms('NEAR(" OR *)') == ["near", "or"]
    assert query_terms("%_\\ ؟!") == []


def test_one_letter_words_and_repeats_are_dropped_and_terms_are_capped() -> None:
    assert query_terms("و عدن عدن") == ["عدن"]
    assert len(query_terms(" ".join(f"كلمة{i}" for i in range(20)))) == MAX_TERMS
