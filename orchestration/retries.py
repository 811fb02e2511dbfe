"""How failed work is retried, on top of the HTTP client's own retries (sources/http.py, a
minute or so of back-off per request).

- A source step that failed on a transient error (unreachable, timed out, 429/5xx after the
  client's retries) is retried by Dagster ``LCM_SOURCE_RETRIES`` times (2), the n-th retry
  n times ``LCM_SOURCE_RETRY_DELAY`` seconds after the failure (10, then 20 minutes): an outage of
  half an hour heals in the same night. Meanwhile the run holds the only run slot, so a run
  launched then waits in the queue. Bad content (a renamed field, bad cells, a register not
  configured) fails at once (``Failure(allow_retries=False)``, orchestration/metadata.py), and
  so does a bad ``LCM_*`` value (``SettingsResource.get``); such values normally stop the code
  location from loading before any run (``settings.require_valid_environment``). An
  unexpected exception in a source step, such as the warehouse file being locked by another
  process, is retried too. When the retries are used up, the step's error is Dagster's
  "Exceeded max_retries of 2", caused by the source's own message.
- Steps after the sources (dbt, checks, publishing) are not retried: their failures are about
  the data or the code, and would repeat.
- A run whose process died (crash, out of memory, restart) is retried from the failure twice
  (run_retries in dagster.yaml). A run that failed on a step or a blocking check is not.
"""

import dagster as dg

from orchestration.settings import load_source_retries

RUN_RETRY_TAGS = {"dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"}


def source_retry_policy() -> dg.RetryPolicy:
    retries = load_source_retries()
    return dg.RetryPolicy(
        max_retries=retries.count, delay=retries.delay_s, backoff=dg.Backoff.LINEAR
    )
