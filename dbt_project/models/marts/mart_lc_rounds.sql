-- Per programme and round (year), over all missions: projects, Learning Communities (and the
-- energy LCs among them) and known subsidy. The rows of mart_lc_overview added up over
-- missions, where counts and subsidy sums add up (its organisation counts and median do not,
-- so they are not here). The monitoring report's rounds chart and table read this mart.
select
    programme,
    call_round,
    cast(sum(project_count) as bigint) as project_count,
    cast(sum(lc_count) as bigint) as lc_count,
    cast(sum(energy_lc_count) as bigint) as energy_lc_count,
    cast(sum(total_subsidy_eur) as decimal(18, 2)) as total_subsidy_eur,
    cast(sum(lc_total_subsidy_eur) as decimal(18, 2)) as lc_total_subsidy_eur
from {{ ref('mart_lc_overview') }}
group by programme, call_round
