"""A thin layer of our own on Great Expectations 1.x (dagster-ge does not support GX 1.x).

- ``suites``: the rule library and suite files in expectations/ (rules, actions, meta).
- ``validation``: runs a suite on a DataFrame and turns GX's result into plain facts (rules
  that raised count as errors; record rules name every failing record).
- ``reference``: the seeds the rules compare with (caps, budgets, missions).
- ``drift``: each raw column compared with the last accepted pull (emptied, distinct count,
  categories), as rules made concrete for one validation.
- ``acceptance``: a source's newest snapshot validated as a whole; its verdict and quarantine,
  written to the raw layer.
- ``results``: the validation history in ``quality.validation_results``.
- ``checks``: what a check reports to Dagster, and the mart suites' checks.
- ``report`` and ``run_summary``: the HTML report and the end of `make run`.

Only ``checks`` imports Dagster.
"""
