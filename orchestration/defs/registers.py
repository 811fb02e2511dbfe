"""Raw ingestion of the programme offices' registers (xlsx or csv), one source per register,
each in its own group. Another programme's register is one more ``Register`` line below plus
a few lines of configuration elsewhere (docs/architecture.md, "Adding a programme's register").
"""

import logging
from dataclasses import dataclass

import dagster as dg

from orchestration.ingest import Pull, RawSource, RawTableSpec, build_raw_asset
from orchestration.settings import CALLS_SEED, Settings
from sources import registers
from sources.calls import CallCatalogue


@dataclass(frozen=True)
class Register:
    source: str  # raw folder, group and table prefix
    env_var: str
    what: str

    def location(self, settings: Settings) -> str:
        location = settings.register_locations[self.source]
        if location is None:
            # Registers come from programme offices: there is no public URL to fall back on,
            # and silently loading the bundled sample into a live warehouse would be worse.
            raise dg.Failure(
                description=f"[{self.source}] no register configured: set {self.env_var} to "
                f"the path or URL of the register (LCM_SOURCE_MODE={settings.source_mode} has "
                "no default for it)",
                allow_retries=False,  # configuration does not heal by waiting
                metadata={"source": self.source, "field": self.env_var},
            )
        return location

    @property
    def projects(self) -> RawTableSpec:
        return RawTableSpec(
            f"{self.source}_projects",
            registers.PROJECT_COLUMNS,
            f"Register of {self.what}: one row per Learning Community (location from "
            f"{self.env_var}), every snapshot kept.",
        )

    @property
    def partners(self) -> RawTableSpec:
        return RawTableSpec(
            f"{self.source}_partners",
            registers.PARTNER_COLUMNS,
            f"Partners of {self.what}, with their type, role and municipality or postcode, "
            "every snapshot kept.",
        )

    @property
    def projects_table(self) -> str:
        return f"raw.{self.projects.table}"

    @property
    def partners_table(self) -> str:
        return f"raw.{self.partners.table}"

    def pull(self, location: str, settings: Settings, log: logging.Logger) -> Pull:
        extract = registers.read_register(
            location,
            source=self.source,
            catalogue=CallCatalogue.from_csv(CALLS_SEED),
            policy=settings.http_for(self.source),
            limits=settings.archive_limits,
        )
        return Pull(
            files=extract.raw_files,
            content_sha256=registers.content_sha256(extract),
            counts={"projects": len(extract.projects), "partners": len(extract.partners)},
            rows={self.projects.table: extract.projects, self.partners.table: extract.partners},
            record_count=len(extract.projects),
            metadata={
                "register_format": extract.file_format,
                "extra_columns_ignored": ", ".join(extract.extra_columns) or "none",
                "warnings": "\n".join(extract.warnings) or "none",
                # Set aside by the validation step; listed here as the office would fix them.
                "record_problems": "\n".join(extract.problems) or "none",
            },
        )

    def raw_source(self) -> RawSource:
        return RawSource(
            name=self.source,
            label=self.source,
            tables=(self.projects, self.partners),
            location=self.location,
            pull=self.pull,
        )


REGISTERS = (
    Register("mooi_register", "LCM_MOOI_REGISTER",
             "the MOOI Learning Community supplements (2024 LC scheme)"),
    Register("gvnl_register", "LCM_GVNL_REGISTER",
             "GroenvermogenNL's regional Learning Communities"),
)  # fmt: skip


def build_register_asset(register: Register) -> dg.AssetsDefinition:
    return build_raw_asset(register.raw_source())


@dg.definitions
def register_assets() -> dg.Definitions:
    return dg.Definitions(assets=[build_register_asset(r) for r in REGISTERS])
