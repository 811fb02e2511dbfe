"""Checks of the held-out NWOpen set itself (fast, no network)."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from tests.heldout import nwopen_heldout as nh

RULES = ("nwo_file_number", "end_not_before_start", "unreadable_value", "subsidy_within_cap")
LC_LIKE = re.compile(r"learning[\s-]+communit", re.IGNORECASE)
ROLE_RANK = {
    "main applicant": 0,
    "hoofdaanvrager": 0,
    "project leader": 1,
    "projectleider": 1,
    "co-applicant": 2,
    "medeaanvrager": 2,
}
DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2010": "-"})


def _norm(name: str) -> str:
    """The name matching of the specification (used here only to sanity-check the lists)."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(DASHES)
    return "".join(text.split())


@pytest.fixture(scope="module")
def built():
    return nh.generate_with_stats()


def _records(pages):
    return [r for page in pages for r in page["projects"]]


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


def test_deterministic(built):
    pages, truth, _ = built
    pages2, truth2 = nh.generate()
    assert _dump(pages) == _dump(pages2)
    assert nh.dump_truth(truth) == nh.dump_truth(truth2)
    other_a, other_b = nh.generate(7), nh.generate(7)
    assert _dump(other_a) == _dump(other_b)
    assert _dump(other_a[0]) != _dump(pages)


def test_expected_file_is_current(built):
    text = nh.EXPECTED_FILE.read_text(encoding="utf-8")
    assert json.loads(text) == json.loads(nh.dump_truth(built[1]))
    assert text == nh.dump_truth(built[1])


def test_envelope(built):
    pages, truth, _ = built
    records = _records(pages)
    assert len(records) >= 2000
    assert truth["records_total"] == len(records)
    assert truth["pages"] == len(pages)
    assert [p["meta"]["page"] for p in pages] == list(range(1, len(pages) + 1))
    for page in pages:
        meta = page["meta"]
        assert meta["count"] == len(records)
        assert meta["pages"] == len(pages)
        assert meta["per_page"] == 100
        assert meta["api_type"] == "NWO Projects API"
        assert meta["ror_id"] == "https://ror.org/04jsz6e67"
    assert all(len(p["projects"]) == 100 for p in pages[:-1])
    assert 0 < len(pages[-1]["projects"]) < 100


def test_write_pages(tmp_path, built):
    pages = built[0]
    nh.write_pages(tmp_path, pages)
    files = sorted(tmp_path.glob("page-*.json"))
    assert [f.name for f in files] == [f"page-{i:03d}.json" for i in range(1, len(pages) + 1)]
    assert json.loads(files[0].read_text(encoding="utf-8")) == pages[0]
    assert "\\u" not in files[0].read_text(encoding="utf-8")  # ensure_ascii=False


def test_keys_unique_except_exact_repeats(built):
    pages, _, stats = built
    seen: dict[tuple, dict] = {}
    repeats = 0
    for rec in _records(pages):
        key = (rec["project_id"], rec["funding_scheme_id"])
        if key in seen:
            assert seen[key] == rec
            repeats += 1
        seen[key] = rec
    assert repeats == stats["exact_repeats"] >= 5


def test_truth_counts(built):
    _, truth, _ = built
    by_call = truth["projects_by_call"]
    assert 20 <= by_call["kic_lc_2021"] <= 30
    assert 40 <= by_call["kic_lc_2023"] <= 60
    assert 6 <= by_call["gvnl_lc_2024"] <= 9
    assert 30 <= by_call["gvnl_rd_2022"] <= 50
    assert truth["lc_projects_by_programme_round"] == {
        "KIC": {"2021": by_call["kic_lc_2021"], "2023": by_call["kic_lc_2023"]},
        "GroenvermogenNL": {"2024": by_call["gvnl_lc_2024"]},
    }
    projects = truth["projects"]
    assert len(projects) == sum(by_call.values())
    assert projects == sorted(projects, key=lambda p: (p["call_id"], p["project_id"]))
    assert len({(p["call_id"], p["project_id"]) for p in projects}) == len(projects)
    assert len({p["project_id"] for p in projects}) == len(projects)  # never in two calls

    set_aside = truth["set_aside"]
    for rule in RULES:
        assert sum(1 for s in set_aside if s["rule"] == rule) >= 3, rule
    capped = {s["call_id"] for s in set_aside if s["rule"] == "subsidy_within_cap"}
    assert capped == {"kic_lc_2021", "kic_lc_2023", "gvnl_lc_2024"}
    counted = {(p["call_id"], p["project_id"]) for p in projects}
    assert not {(s["call_id"], s["project_id"]) for s in set_aside} & counted

    flagged = truth["flagged"]
    assert len(flagged) >= 4
    assert {"kic_lc_2021", "kic_lc_2023", "gvnl_lc_2024"} <= {f["call_id"] for f in flagged}
    by_key = {(p["call_id"], p["project_id"]): p for p in projects}
    for f in flagged:
        assert f["rule"] == "has_members"
        project = by_key[(f["call_id"], f["project_id"])]
        assert project["member_count"] == 0 and project["lead_organisation"] is None

    assert len(truth["possible_new_lc_calls"]) >= 6
    assert truth["possible_new_lc_calls"] == sorted(set(truth["possible_new_lc_calls"]))
    assert truth["out_of_scope_ngf_records"] >= 50
    for p in projects:
        call = nh.CALLS[p["call_id"]]
        assert (p["programme"], p["round"], p["is_learning_community"]) == (
            call["programme"],
            call["round"],
            call["lc"],
        )
        if p["member_count"]:
            assert (
                p["lead_organisation"] and p["lead_organisation"] == p["lead_organisation"].strip()
            )


def test_quirk_minimums(built):
    _, _, stats = built
    assert stats["name_variant_records"] >= 20
    assert stats["recoded_projects"] >= 4
    assert stats["recoded_high_id_first"] >= 1
    assert stats["cross_projects"] >= 3
    assert stats["exact_repeats"] >= 5
    assert stats["decoy_records"] >= 15
    assert stats["lc_titled_out_of_scope_records"] >= 10
    assert stats["out_of_scope_broken_dates"] >= 3
    assert stats["out_of_scope_huge_amounts"] >= 2
    assert stats["multi_pl_projects"] >= 10
    assert stats["in_scope_placeholder_orcid_members"] >= 10
    assert stats["in_scope_dutch_role_members"] >= 10
    assert stats["in_scope_datetime_records"] >= 0.3 * stats["in_scope_base_records"]
    assert stats["kept_with_amount"] >= 3 and stats["kept_amount_at_cap"] >= 1
    assert stats["kept_with_null_or_equal_dates"] >= 3
    for mode in ("empty", "null", "absent"):
        assert stats[f"flagged_{mode}"] >= 1


def test_page_level_quirks(built):
    pages, truth, _ = built
    records = _records(pages)
    members = [m for r in records for m in (r.get("project_members") or [])]
    assert sum(m["orcid"] == nh.PLACEHOLDER_ORCID for m in members) >= 10
    assert sum(m["role"].lower() in nh.DUTCH_ROLES for m in members) >= 10
    dt = sum(1 for r in records if "T" in str(r.get("start_date")) + str(r.get("end_date")))
    assert dt >= 0.3 * len(records)
    assert sum(1 for r in records if "project_members" not in r) >= 2
    names = {r["funding_scheme"] for r in records}
    assert set(truth["possible_new_lc_calls"]) <= names
    assert sum(1 for r in records if r["project_id"].startswith("NGF.")) >= 50
    assert any(r["project_id"].count(".") == 4 for r in records if r["project_id"][:4] == "NGF.")
    titled = [r for r in records if "learning communit" in r["title"].lower()]
    assert sum(1 for r in titled if not LC_LIKE.search(r["funding_scheme"])) >= 10
    # in-scope records appear on every page
    followed = {_norm(c["name"]) for c in nh.CALLS.values()}
    for page in pages:
        assert any(_norm(r["funding_scheme"]) in followed for r in page["projects"])


def test_scheme_name_lists():
    canon = {call_id: _norm(call["name"]) for call_id, call in nh.CALLS.items()}
    assert len(set(canon.values())) == len(canon)
    for call_id, variants in nh.NAME_VARIANTS.items():
        for variant in variants:
            assert variant != nh.CALLS[call_id]["name"]
            assert _norm(variant) == canon[call_id], variant
    for scheme, _ in nh.LC_DECOYS:
        assert LC_LIKE.search(scheme.name)
        assert _norm(scheme.name) not in canon.values(), scheme.name
    others = [s for s in nh.OOS_GENERIC] + [s for s, _ in nh.NGF_SCHEMES]
    for scheme in others:
        assert not LC_LIKE.search(scheme.name), scheme.name
        assert _norm(scheme.name) not in canon.values(), scheme.name


def test_truth_agrees_with_pages(built):
    """Cross-check (not the source of the truth): counted projects are visible in the pages."""
    pages, truth, _ = built
    canon = {_norm(c["name"]): call_id for call_id, c in nh.CALLS.items()}
    in_scope: dict[tuple[str, str], dict[int, dict]] = {}
    for rec in _records(pages):
        call_id = canon.get(_norm(rec["funding_scheme"]))
        if call_id:
            in_scope.setdefault((call_id, rec["project_id"]), {})[rec["funding_scheme_id"]] = rec
    set_aside = {(s["call_id"], s["project_id"]) for s in truth["set_aside"]}
    assert set(in_scope) == {(p["call_id"], p["project_id"]) for p in truth["projects"]} | set_aside
    for p in truth["projects"]:
        recs = in_scope[(p["call_id"], p["project_id"])]
        assert recs[min(recs)]["title"] == p["title"]
        total = sum(len(r.get("project_members") or []) for r in recs.values())
        assert total == p["member_count"]
        members = recs[min(recs)].get("project_members") or []
        if members:
            best = min(ROLE_RANK[m["role"].lower()] for m in members)
            tops = {
                m["organisation"].split("||")[0].strip()
                for m in members
                if ROLE_RANK[m["role"].lower()] == best
            }
            assert tops == {p["lead_organisation"]}
        else:
            assert p["lead_organisation"] is None
