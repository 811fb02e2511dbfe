"""Raw ingestion of the programme offices' registers (xlsx or csv): one multi-asset per
register, each in its own group, built from the same recipe."""

from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg

from orchestration.ingest import RawTable, land, load, materializations, snapshot_metadata
from orchestration.metadata import source_failure, step_settings
from orchestration.retries import source_retry_policy
from orchestration.settings import CALLS_SEED, Settings
from orchestration.warehouse import DUCKDB_POOL, WarehouseResource
from sources import registers
from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.redact import redact_url


@dataclass(frozen=True)
class Register:
    source: str  # raw folder, group and table prefix
    env_var: str
    what: str

    def location(self, settings: Settings) -> str | None:
        return settings.register_locations[self.source]

    @property
    def projects_table(self) -> str:
        return f"raw.{self.source}_projects"

    @property
    def partners_table(self) -> str:
        return f"raw.{self.source}_partners"


REGISTERS = (
    Register("mooi_register", "LCM_MOOI_REGISTER",
             "the MOOI Learning Community supplements (2024 LC scheme)"),
    Register("gvnl_register", "LCM_GVNL_REGISTER",
             "GroenvermogenNL's regional Learning Communities"),
)  # fmt: skip


def build_register_asset(register: Register) -> dg.AssetsDefinition:
    projects = dg.AssetKey(["raw", f"{register.source}_projects"])
    partners = dg.AssetKey(["raw", f"{register.source}_partners"])

    @dg.multi_asset(
        name=f"{register.source}_raw",
        specs=[
            dg.AssetSpec(
                projects,
                group_name=register.source,
                kinds={"python", "duckdb"},
                description=f"Register of {register.what}: one row per Learning Community "
                f"(location from {register.env_var}), every snapshot kept.",
            ),
            dg.AssetSpec(
                partners,
                group_name=register.source,
                kinds={"python", "duckdb"},
                description=f"Partners of {register.what}, with their type, role and "
                "municipality or postcode, every snapshot kept.",
            ),
        ],
        pool=DUCKDB_POOL,
        retry_policy=source_retry_policy(),
    )
    def _register_raw(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        settings = step_settings()
        location = register.location(settings)
        if location is None:
            # Registers come from programme offices: there is no public URL to fall back on,
            # and silently loading the bundled sample into a live warehouse would be worse.
            raise dg.Failure(
                description=f"[{register.source}] no register configured: set "
                f"{register.env_var} to the path or URL of the register "
                f"(LCM_SOURCE_MODE={settings.source_mode} has no default for it)",
                allow_retries=False,  # configuration does not heal by waiting
                metadata={"source": register.source, "field": register.env_var},
            )
        # Settings moved a share link's token into the credentials; redacted all the same.
        public_location = redact_url(location)
        context.log.info(f"{register.source}: reading {public_location}")
        try:
            extract = registers.read_register(
                location,
                source=register.source,
                catalogue=CallCatalogue.from_csv(CALLS_SEED),
                policy=settings.http_for(register.source),
                limits=settings.archive_limits,
            )
        except SourceError as exc:
            raise source_failure(exc) from exc
        landed = land(
            settings.raw_dir,
            register.source,
            public_location,
            extract.raw_files,
            content_sha256=registers.content_sha256(extract),
            counts={"projects": len(extract.projects), "partners": len(extract.partners)},
        )
        context.log.info(
            f"{register.source}: landed {landed.snapshot_dir} (changed={landed.manifest.changed})"
        )
        tables = [
            RawTable(projects, register.projects_table, registers.PROJECT_COLUMNS,
                     extract.projects),
            RawTable(partners, register.partners_table, registers.PARTNER_COLUMNS,
                     extract.partners),
        ]  # fmt: skip
        loaded = load(
            warehouse, landed, tables, record_count=len(extract.projects),
            retention_days=settings.disk.raw_days,
        )  # fmt: skip
        common = {
            **snapshot_metadata(landed, loaded),
            "register_format": extract.file_format,
            "extra_columns_ignored": ", ".join(extract.extra_columns) or "none",
            "warnings": "\n".join(extract.warnings) or "none",
            # Set aside by the validation step; listed here as the office would fix them.
            "record_problems": "\n".join(extract.problems) or "none",
        }
        yield from materializations(tables, common)

    return _register_raw


@dg.definitions
def register_assets() -> dg.Definitions:
    return dg.Definitions(assets=[build_register_asset(r) for r in REGISTERS])
