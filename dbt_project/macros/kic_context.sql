{#- The context of a KIC Learning Community (energie, gezondheid_zorg, ict, landbouw_voedsel,
    onbekend), from the keywords of seed kic_context_keywords less the phrases of seed
    kic_context_exclusions. The rule, documented in docs/marts.md and the seeds' YAML, is here
    only; tests/test_kic_context.py runs it on held-out titles. -#}

{% macro kic_context_words(expression) -%}
    {#- Lower case, every run of characters other than letters and digits (spaces, hyphens,
        punctuation) made two spaces: a phrase and a text compare word by word, and each word
        of a text keeps a space of its own on both sides, so that `contains` finds a
        `word_start` keyword as ' keyword' and a `whole_word` one as ' keyword '. -#}
    regexp_replace(lower(nfc_normalize({{ expression }})), '[^\pL\pN\pM]+', '  ', 'g')
{%- endmacro %}

{% macro kic_context_of(texts) -%}
    {#- `texts`: a relation with text_key, call_name, title and summary (any may be null).
        Returns a subquery with text_key, kic_context and kic_context_source. Each text is
        scored per context by the number of distinct `strong` keywords it contains, plus a
        half point when it contains any `weak` one (lower case; a keyword matches `anywhere`
        in a word, at a `word_start`, or as a `whole_word`), after the words of any exclusion
        phrase in it are taken out (duurzame inzetbaarheid is not about energy). The first
        text with one context scoring highest, at least 1, decides: the call's name
        (`call_name`), else the title (`title`), else title and summary together
        (`title_summary`); so a weak keyword (duurzaam) tips a tie but never decides alone. A
        tie or no strong keyword leaves `onbekend` (source null). -#}
    (
        with texts as (
            select
                text_key,
                ' ' || {{ kic_context_words('call_name') }} || ' ' as call_name,
                ' ' || {{ kic_context_words('title') }} || ' ' as title,
                ' ' || {{ kic_context_words("concat_ws(' ', title, summary)") }} || ' '
                    as title_summary
            from {{ texts }}
        ),

        keywords as (
            select
                kic_context,
                keyword,
                strength,
                case position
                    when 'anywhere' then {{ kic_context_words('keyword') }}
                    when 'word_start' then ' ' || {{ kic_context_words('keyword') }}
                    else ' ' || {{ kic_context_words('keyword') }} || ' '
                end as needle
            from {{ ref('kic_context_keywords') }}
        ),

        exclusions as (
            -- One alternation of all phrases; a match takes out the whole words it covers.
            select
                string_agg(
                    case position
                        when 'anywhere'
                            then '[^ ]*' || {{ kic_context_words('phrase') }} || '[^ ]*'
                        when 'word_start' then ' ' || {{ kic_context_words('phrase') }} || '[^ ]*'
                        else ' ' || {{ kic_context_words('phrase') }} || ' '
                    end,
                    '|'
                ) as pattern
            from {{ ref('kic_context_exclusions') }}
        ),

        passages as (
            select
                steps.text_key,
                steps.step,
                steps.source,
                case
                    when exclusions.pattern is null then steps.passage
                    else regexp_replace(steps.passage, exclusions.pattern, '  ', 'g')
                end as passage
            from (
                select text_key, 1 as step, 'call_name' as source, call_name as passage
                from texts
                union all
                select text_key, 2, 'title', title from texts
                union all
                select text_key, 3, 'title_summary', title_summary from texts
            ) as steps
            cross join exclusions
            where steps.passage is not null
        ),

        scores as (
            select
                passages.text_key,
                passages.step,
                passages.source,
                keywords.kic_context,
                -- Weak keywords together add half a point: duurzaam in Dutch and sustainable
                -- in the English summary are one hint, not a decision.
                count(distinct keywords.keyword) filter (where keywords.strength = 'strong')
                + case when bool_or(keywords.strength = 'weak') then 0.5 else 0 end as score
            from passages
            inner join keywords on contains(passages.passage, keywords.needle)
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
            -- The first step whose top score belongs to one context only and is at least 1.
            select text_key, kic_context, source
            from ranked
            where place = 1 and sharing = 1 and score >= 1
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
