{#- The context of a KIC Learning Community (energie, gezondheid_zorg, ict, landbouw_voedsel,
    onbekend), from the keywords of seed kic_context_keywords. The rule, documented in
    docs/marts.md and the seed's YAML, is here only; tests/test_kic_context.py runs it on
    held-out titles. -#}

{% macro kic_context_of(texts) -%}
    {#- `texts`: a relation with text_key, call_context, title and summary (any may be null).
        Returns a subquery with text_key, kic_context and kic_context_source. Each text is
        scored per context by the number of distinct keywords it contains (lower case; a
        keyword matches `anywhere` in a word, at a `word_start`, or as a `whole_word`). The
        first text with one context scoring highest decides: the call's context NWOpen gives
        (`nwopen_call_context`), else the title (`title`), else title and summary together
        (`title_summary`); a tie or no keyword at all leaves `onbekend` (source null). -#}
    (
        with texts as (
            select
                text_key,
                lower(call_context) as call_context,
                lower(title) as title,
                lower(concat_ws(' ', title, summary)) as title_summary
            from {{ texts }}
        ),

        keywords as (
            select
                kic_context,
                keyword,
                case position
                    when 'anywhere' then lower(keyword)
                    when 'word_start' then '(^|[^\pL\pN])' || lower(keyword)
                    else '(^|[^\pL\pN])' || lower(keyword) || '($|[^\pL\pN])'
                end as pattern
            from {{ ref('kic_context_keywords') }}
        ),

        passages as (
            select text_key, 1 as step, 'nwopen_call_context' as source, call_context as passage
            from texts
            union all
            select text_key, 2, 'title', title from texts
            union all
            select text_key, 3, 'title_summary', title_summary from texts
        ),

        scores as (
            select
                passages.text_key,
                passages.step,
                passages.source,
                keywords.kic_context,
                count(distinct keywords.keyword) as score
            from passages
            inner join keywords on regexp_matches(passages.passage, keywords.pattern)
            group by all
        ),

        ranked as (
            select
                *,
                rank() over (partition by text_key, step order by score desc) as place,
                count(*) over (partition by text_key, step, score) as sharing
            from scores
        ),

        decided as (
            -- The first step whose top score belongs to one context only.
            select text_key, kic_context, source
            from ranked
            where place = 1 and sharing = 1
            qualify row_number() over (partition by text_key order by step) = 1
        )

        select
            texts.text_key,
            coalesce(decided.kic_context, 'onbekend') as kic_context,
            decided.source as kic_context_source
        from texts
        left join decided on texts.text_key = decided.text_key
    )
{%- endmacro %}
