"""A thin layer of our own on Great Expectations 1.x (dagster-ge does not support GX 1.x).

``suites`` reads the suite files in expectations/; ``validation`` runs one on a DataFrame and
turns GX's result into plain facts (with expectations that raised counted as errors).
Neither module imports Dagster.
"""
