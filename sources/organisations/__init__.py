"""Which organisation a name written in a source is, and its type and place.

- ``names``: the readings of a name, its match key, and what the name proves (type, kind);
- ``places``: places to municipalities to provinces (seeds municipalities, places, provinces);
- ``reference``: the reference organisations from the seeds, with their other names;
- ``resolve``: the matching steps (exact, ROR id, guarded fuzzy, known, new) and the review
  status of each name.

Plain Python, no Dagster or dbt: the dbt model ``int_organisations__name_variants`` and the
benchmark ``tests/heldout/organisation_benchmark.py`` both call it. See docs/organisations.md.
"""
