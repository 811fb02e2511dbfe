"""Resources shared by the assets and checks."""

import dagster as dg

from orchestration.dbt_project import dbt_project
from orchestration.dbt_resource import LcmDbtCliResource
from orchestration.settings import dbt_executable
from orchestration.settings_resource import SettingsResource
from orchestration.warehouse import WarehouseResource


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "dbt": LcmDbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable()),
            "warehouse": WarehouseResource(),
            "settings": SettingsResource(),
        }
    )
