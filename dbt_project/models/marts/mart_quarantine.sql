-- The records the monitor sets aside or flags now, for analysts: one row per record and rule.
-- From the sources' validation steps, the entries of the snapshot each source is read from
-- (set aside: left out of every other mart; flagged: kept); and from the models, a register
-- LC naming a grant that the source it points at does not carry (flagged, not counted).
with entries as (
    select
        source_system, table_name, snapshot_id, record_key, disposition, rule,
        rule_description, column_name, value, problem, run_id, validated_at
    from {{ ref('int_quality__quarantine_entries') }}
    where is_current
),

register_lcs as (
    select * from {{ ref('int_registers__learning_communities') }}
    where not related_grant_found
),

grant_flags as (
    select
        source_system,
        'raw.' || source_system || '_projects' as table_name,
        snapshot_id,
        to_json({'register_id': register_id})::varchar as record_key,
        'flagged' as disposition,
        'register_grant_known' as rule,
        case source_system
            when 'gvnl_register'
                then 'A GroenvermogenNL register LC names an NWO file number that NWOpen does '
                || 'not carry (among the accepted records). It is not counted, so that it '
                || 'cannot count twice if NWOpen lists it under another number.'
            else 'A MOOI LC supplement names a MOOI grant number that the Topsector Energie '
                || 'project database does not carry. The supplement is counted.'
        end as rule_description,
        'related_grant' as column_name,
        related_grant as value,
        cast(null as varchar) as problem,
        cast(null as varchar) as run_id,
        cast(null as timestamptz) as validated_at
    from register_lcs
),

issues as (
    select * from entries
    union all
    select * from grant_flags
)

select
    source_system,
    table_name,
    snapshot_id,
    record_key,
    json_extract_string(record_key, '$.' || json_keys(record_key)[1]) as record_id,
    disposition,
    rule,
    rule_description,
    column_name,
    value,
    problem,
    run_id,
    validated_at
from issues
