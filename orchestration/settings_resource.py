"""The settings as a Dagster resource: every asset and check that needs a setting takes it
from here (``settings.get()``) instead of reading the environment itself, so the environment
is read in one place (orchestration/settings.py) and a test can hand a step its own resource."""

import dagster as dg

from orchestration.settings import ConfigError, Settings, load_settings


class SettingsResource(dg.ConfigurableResource):
    """The LCM_* settings (README, Configuration), resolved when a step asks for them: a run
    sees the environment of the process that executes it."""

    def get(self) -> Settings:
        """The settings; a configuration error fails the step at once, naming the variable
        and its allowed values, and is never retried (only transient source errors are)."""
        try:
            return load_settings()
        except ConfigError as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
