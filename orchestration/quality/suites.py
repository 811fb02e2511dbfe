"""Suite files and the rule library: what each suite validates and what a failure does.

``expectations/rules.json`` defines the rules several suites share, once each; a suite in
``expectations/suites/`` lists its rules, by name (``{"rule": "end_not_before_start"}``, with
the columns it applies to in ``kwargs``) or written out when only that suite uses them. Every
rule has a name, a description and an *action*:

- ``block``: a source-wide failure. On a raw suite the source's new snapshot is rejected (the
  marts keep the last accepted one); on a mart, publishing stops. Severity ERROR.
- ``warn``: reported as a WARN, nothing else happens.
- ``quarantine`` (raw suites): each failing record is set aside, the rest flows on. WARN.
- ``flag`` (raw suites): each failing record is listed in the quarantine but kept. WARN.

Raw suites name the ``source`` whose newest snapshot they validate (all suites of one source
run in that source's validation step); mart suites name the ``asset_key`` they check.

A *parameterised* suite file validates one table of several sources alike (the programme
offices' registers): its ``parameters`` map each source to the values that differ between
them, and it expands at load time into one suite per source, as if each had its own file
(``${source}`` is the source's name; ``${name}`` in a string is replaced by that parameter, a
string that is only ``${name}`` by its value, a list spliced into the list around it).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACTIONS = ("block", "warn", "quarantine", "flag")
RECORD_ACTIONS = ("quarantine", "flag")
ERROR = "ERROR"
WARN = "WARN"
# Expectation types that judge rows one by one, so that failing records can be named.
ROW_LEVEL_PREFIXES = (
    "expect_column_values_",
    "expect_column_pair_values_",
    "expect_compound_columns_",
    "expect_multicolumn_",
    "expect_select_column_values_",
)
# Rules the layer adds itself (suite meta), named here so that results can refer to them.
VOLUME_DROPPED = "volume_dropped"
VOLUME_COLLAPSED = "volume_collapsed"
SET_ASIDE_SHARE = "set_aside_share"
PARENT_SET_ASIDE = "parent_set_aside"
# Drift against the last accepted pull (orchestration/quality/drift.py), one rule per column.
DRIFT_FILLED = "drift_filled"
DRIFT_DISTINCT = "drift_distinct"
DRIFT_NEW_CATEGORIES = "drift_new_categories"
DRIFT_VANISHED_CATEGORIES = "drift_vanished_categories"
DRIFT_RULES = (DRIFT_FILLED, DRIFT_DISTINCT, DRIFT_NEW_CATEGORIES, DRIFT_VANISHED_CATEGORIES)
# The column in which connectors note what they could not read (sources/problems.py).
PROBLEMS_COLUMN = "_problems"
RECORD_NO = "_record_no"
# ``${name}`` in a parameterised suite file.
PARAMETER = re.compile(r"\$\{(\w+)\}")


class SuiteFileError(ValueError):
    pass


def severity_of(action: str) -> str:
    return ERROR if action == "block" else WARN


@dataclass(frozen=True)
class Rule:
    name: str
    action: str
    description: str
    expectation_type: str
    kwargs: dict[str, Any]

    @property
    def severity(self) -> str:
        return severity_of(self.action)

    @property
    def is_record_level(self) -> bool:
        return self.action in RECORD_ACTIONS

    @property
    def columns(self) -> list[str]:
        """The columns the rule reads, in the order GX names them."""
        kw = self.kwargs
        if "column" in kw:
            return [kw["column"]]
        if "column_A" in kw:
            return [kw["column_A"], kw["column_B"]]
        return list(kw.get("column_list", []))

    def gx_config(self) -> dict[str, Any]:
        """The expectation as ``gx.ExpectationSuite`` takes it."""
        return {
            "type": self.expectation_type,
            "kwargs": self.kwargs,
            "severity": "critical" if self.action == "block" else "warning",
            "meta": {"rule": self.name, "action": self.action},
        }


@dataclass(frozen=True)
class DriftConfig:
    """A raw suite's meta ``drift``: which columns are required measures (emptied: ERROR) and
    categories (new or vanished values: WARN), which to leave out, and the thresholds."""

    required: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()  # free text, ids of another system: not compared
    populated: float = 0.5  # a column filled for this share of the baseline's rows is watched
    null_drop: float = 0.4  # ... and warns when its filled share falls by this much or more
    distinct_factor: float = 3.0  # distinct values grown or shrunk by this factor warn
    distinct_min: int = 10  # ... counting from this many distinct values

    @classmethod
    def from_meta(cls, meta: dict[str, Any] | None, where: str) -> DriftConfig:
        meta = meta or {}
        unknown = set(meta) - set(cls.__dataclass_fields__)
        if unknown:
            raise SuiteFileError(f"{where}: meta.drift has unknown keys {sorted(unknown)}")
        for key in ("required", "categories", "ignore"):
            if not isinstance(meta.get(key, []), list):
                raise SuiteFileError(f"{where}: meta.drift.{key} must be a list of columns")
        config = cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in meta.items()})
        if not (0 < config.populated <= 1 and 0 < config.null_drop <= 1):
            raise SuiteFileError(f"{where}: meta.drift populated and null_drop are shares (0-1]")
        if config.distinct_factor <= 1 or config.distinct_min < 1:
            raise SuiteFileError(
                f"{where}: meta.drift distinct_factor must be above 1, distinct_min 1 or more"
            )
        return config


@dataclass(frozen=True)
class SuiteFile:
    name: str
    path: Path
    table: str
    description: str
    rules: tuple[Rule, ...]
    source: str | None = None  # raw suites: the source whose newest snapshot is validated
    asset_key: tuple[str, ...] | None = None  # mart suites: the asset checked
    record_key: tuple[str, ...] = ()
    subsidy_column: str | None = None  # adds the call's cap and budget to the frame
    max_set_aside_share: float | None = None
    # A child table (members, partners): its records go when their parent record is set aside.
    parent_table: str | None = None
    parent_columns: tuple[str, ...] = ()
    row_drop_warn: float | None = None
    row_drop_block: float | None = None
    drift: DriftConfig = DriftConfig()  # raw suites: compared with the last accepted pull

    @property
    def is_raw(self) -> bool:
        return self.source is not None

    @property
    def expectation_count(self) -> int:
        """Rules in the file plus the ones its meta adds (volume, share set aside)."""
        extra = [self.row_drop_warn, self.row_drop_block, self.max_set_aside_share]
        return len(self.rules) + sum(x is not None for x in extra)

    def volume_rules(self, previous_rows: int | None) -> list[Rule]:
        """The row-count drop rules made concrete against the last accepted validation's rows."""
        if not previous_rows:
            return []
        rules = []
        for name, share, action in (
            (VOLUME_DROPPED, self.row_drop_warn, "warn"),
            (VOLUME_COLLAPSED, self.row_drop_block, "block"),
        ):
            if share is None:
                continue
            rules.append(
                Rule(
                    name=name,
                    action=action,
                    description=f"At most {share:.0%} fewer rows than the last accepted "
                    f"pull or validation ({previous_rows} rows).",
                    expectation_type="expect_table_row_count_to_be_between",
                    kwargs={"min_value": math.ceil(previous_rows * (1 - share))},
                )
            )
        return rules

    def rule(self, name: str) -> Rule | None:
        return next((r for r in self.rules if r.name == name), None)


def _rule(entry: dict[str, Any], library: dict[str, dict[str, Any]], where: str) -> Rule:
    name = entry.get("rule")
    if not name:
        raise SuiteFileError(f"{where}: every expectation needs a rule name ('rule')")
    base = library.get(name, {})
    if base and ("type" in entry or "description" in entry):
        raise SuiteFileError(
            f"{where}: rule {name!r} is defined in rules.json; refer to it, do not redefine it"
        )
    definition = {**base, **{k: v for k, v in entry.items() if k != "kwargs"}}
    kwargs = {**base.get("kwargs", {}), **entry.get("kwargs", {})}
    for key in ("type", "description", "action"):
        if not definition.get(key):
            raise SuiteFileError(f"{where}: rule {name!r} has no {key!r}")
    if definition["action"] not in ACTIONS:
        raise SuiteFileError(f"{where}: rule {name!r}: action must be one of {ACTIONS}")
    rule = Rule(name, definition["action"], definition["description"], definition["type"], kwargs)
    if rule.is_record_level and not rule.expectation_type.startswith(ROW_LEVEL_PREFIXES):
        raise SuiteFileError(
            f"{where}: rule {name!r}: {rule.action} needs a row-level expectation, "
            f"not {rule.expectation_type}"
        )
    return rule


def load_library(path: Path) -> dict[str, dict[str, Any]]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["rules"]
    except (json.JSONDecodeError, KeyError) as exc:
        raise SuiteFileError(f"{path}: not a rule library: {exc}") from exc


def _substitute(value: Any, values: dict[str, Any], used: set[str], where: str) -> Any:
    """``value`` with the ``${name}`` parameters replaced (see the module's docstring)."""
    if isinstance(value, str):
        for name in PARAMETER.findall(value):
            if name not in values:
                raise SuiteFileError(f"{where}: unknown parameter ${{{name}}}")
            used.add(name)
        whole = PARAMETER.fullmatch(value)
        if whole:
            return values[whole.group(1)]

        def text(match: re.Match[str]) -> str:
            if not isinstance(values[match.group(1)], str):
                raise SuiteFileError(f"{where}: ${{{match.group(1)}}} in a text must be a text")
            return values[match.group(1)]

        return PARAMETER.sub(text, value)
    if isinstance(value, dict):
        return {k: _substitute(v, values, used, where) for k, v in value.items()}
    if isinstance(value, list):
        items: list[Any] = []
        for item in value:
            new = _substitute(item, values, used, where)
            if isinstance(item, str) and PARAMETER.fullmatch(item) and isinstance(new, list):
                items.extend(new)  # a list parameter adds its items here
            else:
                items.append(new)
        return items
    return value


def _expand(body: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """The suites a file defines: itself, or one per source of its ``parameters``."""
    if "parameters" not in body:
        return [body]
    parameters = body["parameters"]
    if not isinstance(parameters, dict) or not parameters:
        raise SuiteFileError(f"{where}: parameters must map each source to its values")
    template = {k: v for k, v in body.items() if k != "parameters"}
    bodies = []
    for source, values in parameters.items():
        if not isinstance(values, dict) or "source" in values:
            raise SuiteFileError(f"{where}: parameters.{source} must be an object without source")
        used: set[str] = set()
        bodies.append(_substitute(template, {"source": source, **values}, used, where))
        if unused := set(values) - used:
            raise SuiteFileError(f"{where}: parameters.{source} {sorted(unused)} are not used")
    names = [b.get("name") for b in bodies]
    if None in names or len(set(names)) != len(names):
        raise SuiteFileError(f"{where}: a parameterised suite's name must contain ${{source}}")
    return bodies


def load_suite_file(
    path: Path, library: dict[str, dict[str, Any]] | None = None
) -> list[SuiteFile]:
    """The suites of one file: one, or one per source of a parameterised file."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteFileError(f"{path}: not valid JSON: {exc}") from exc
    return [_suite(b, path, library or {}) for b in _expand(body, str(path))]


def load_suite(path: Path, library: dict[str, dict[str, Any]] | None = None) -> SuiteFile:
    """The suite of a file that defines one (not a parameterised file of several sources)."""
    suites = load_suite_file(path, library)
    if len(suites) != 1:
        raise SuiteFileError(f"{path}: defines {len(suites)} suites; use load_suite_file")
    return suites[0]


def _suite(body: dict[str, Any], path: Path, library: dict[str, dict[str, Any]]) -> SuiteFile:
    meta = body.get("meta") or {}
    if "table" not in meta:
        raise SuiteFileError(f"{path}: meta.table is required")
    if ("source" in meta) == ("asset_key" in meta):
        raise SuiteFileError(f"{path}: meta needs either source (raw) or asset_key (mart)")
    if not body.get("expectations"):
        raise SuiteFileError(f"{path}: no expectations")
    rules = tuple(_rule(e, library, str(path)) for e in body["expectations"])
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise SuiteFileError(f"{path}: a rule is listed twice")
    if "source" not in meta and any(r.is_record_level for r in rules):
        raise SuiteFileError(f"{path}: quarantine and flag rules are for raw suites only")
    if "source" not in meta and "drift" in meta:
        raise SuiteFileError(f"{path}: meta.drift is for raw suites (compared with a pull)")
    drop = meta.get("row_drop") or {}
    for key, share in [*drop.items(), ("max_set_aside_share", meta.get("max_set_aside_share"))]:
        if share is not None and not 0 < float(share) < 1:
            raise SuiteFileError(f"{path}: {key} must be a share between 0 and 1")
    return SuiteFile(
        name=body.get("name") or path.stem,
        path=path,
        table=meta["table"],
        description=meta.get("description", ""),
        rules=rules,
        source=meta.get("source"),
        asset_key=tuple(meta["asset_key"]) if "asset_key" in meta else None,
        record_key=tuple(meta.get("record_key", ())),
        subsidy_column=meta.get("subsidy_column"),
        max_set_aside_share=meta.get("max_set_aside_share"),
        parent_table=(meta.get("parent") or {}).get("table"),
        parent_columns=tuple((meta.get("parent") or {}).get("columns", ())),
        row_drop_warn=drop.get("warn"),
        row_drop_block=drop.get("block"),
        drift=DriftConfig.from_meta(meta.get("drift"), str(path)),
    )


def load_suites(folder: Path) -> list[SuiteFile]:
    """Every suite in ``folder/suites``, with the rule library ``folder/rules.json``."""
    library = load_library(folder / "rules.json")
    paths = sorted((folder / "suites").glob("*.json"))
    suites = [suite for path in paths for suite in load_suite_file(path, library)]
    names = [s.name for s in suites]
    if twice := sorted({n for n in names if names.count(n) > 1}):
        raise SuiteFileError(f"suites {twice} are defined twice in {folder / 'suites'}")
    _check_each_rule_defined_once(library, suites)
    return suites


def _check_each_rule_defined_once(
    library: dict[str, dict[str, Any]], suites: list[SuiteFile]
) -> None:
    """A rule written out in a suite must not share a name with another definition."""
    defined_in: dict[str, str] = {name: "rules.json" for name in library}
    for suite in suites:
        for rule in suite.rules:
            # The suites one parameterised file expands into share its definitions.
            if rule.name in library or defined_in.get(rule.name) == suite.path.name:
                continue
            if rule.name in defined_in:
                raise SuiteFileError(
                    f"rule {rule.name!r} is written in {defined_in[rule.name]} and in "
                    f"{suite.path.name}: define it once in rules.json and refer to it"
                )
            defined_in[rule.name] = suite.path.name
    reserved = {
        VOLUME_DROPPED, VOLUME_COLLAPSED, SET_ASIDE_SHARE, PARENT_SET_ASIDE, *DRIFT_RULES
    } & set(defined_in)  # fmt: skip
    if reserved:
        raise SuiteFileError(f"rule names {sorted(reserved)} are reserved for suite meta")


def suites_by_source(suites: list[SuiteFile]) -> dict[str, list[SuiteFile]]:
    by_source: dict[str, list[SuiteFile]] = {}
    for suite in suites:
        if suite.source:
            by_source.setdefault(suite.source, []).append(suite)
    return by_source
