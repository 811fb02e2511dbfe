-- A project's end date is never before its start date.
select project_key, start_date, end_date
from {{ ref('fct_project') }}
where end_date < start_date
