"""Each place a programme office's register writes for an LC (its ``lc_municipality`` or its
``region``), with the municipality and province it stands for.

The rule is the one that places organisations (sources/organisations/places.py, seeds
municipalities, places and provinces), so the LC's place and its partners' places are read
alike: "Den Haag" is 's-Gravenhage, "Den Bosch" 's-Hertogenbosch, "Delfzijl" lies in
Eemsdelta, case and blanks do not matter. A province's name gives the province only; a value
the seeds do not know gives neither (flagged by the register suites: lc_municipality_known).
"""

import pandas as pd

from sources.organisations.places import PlaceIndex
from sources.relation_rows import relation_rows

COLUMNS = {
    "place_as_written": "string",
    "municipality": "string",
    "province": "string",
}


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt reads the refs from the source text: each seed is named literally.
    index = PlaceIndex(
        relation_rows(dbt.ref("municipalities")),
        relation_rows(dbt.ref("places")),
        relation_rows(dbt.ref("provinces")),
    )
    written = dbt.ref("int_registers__learning_communities").query(
        "lcs",
        "select distinct place from (select lc_municipality as place from lcs"
        " union all select region from lcs) where place is not null order by 1",
    )
    records = []
    for (cell,) in written.fetchall():
        location = index.lookup(cell)
        records.append(
            {
                "place_as_written": cell,
                "municipality": location.municipality if location else None,
                "province": location.province if location else None,
            }
        )
    return pd.DataFrame.from_records(records, columns=list(COLUMNS)).astype(COLUMNS)
