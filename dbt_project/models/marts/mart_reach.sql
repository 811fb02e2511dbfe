-- Reach of the Learning Communities per programme and round: how many LCs there are, how many
-- report each count, and the sums of what they report (registers only; NWOpen and the
-- Topsector Energie pages give no reach). A sum covers the reporting LCs only: compare it with
-- the LC count before reading it as a programme total. Sums are BIGINT (DuckDB would make
-- them HUGEINT, which pandas and BI tools read as floats).
with lcs as (
    select * from {{ ref('fct_project') }}
    where is_learning_community
)

select
    programme,
    call_round,
    count(*) as lc_count,
    count(*) filter (
        where students_reached is not null
        or professionals_reached is not null
        or teachers_reached is not null
    ) as lc_reporting_reach_count,
    count(students_reached) as lc_reporting_students_count,
    count(professionals_reached) as lc_reporting_professionals_count,
    count(teachers_reached) as lc_reporting_teachers_count,
    cast(sum(students_reached) as bigint) as students_reached,
    cast(sum(professionals_reached) as bigint) as professionals_reached,
    cast(sum(teachers_reached) as bigint) as teachers_reached
from lcs
group by all
