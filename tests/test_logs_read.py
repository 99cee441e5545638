"""Reading platform logs (govsim.logs, issue 18): the shipped mappings on fixture logs
with every kind of messy row, each counted exactly and none dropped silently; the
state-change pivot; time zones across a clock change; GB18030 text; coordinates → cells."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from govsim.errors import LogError
from govsim.logs.mapping import Times, load_mapping, mapping_names, validate_mapping
from govsim.logs.reader import read_log
from govsim.logs.times import parse_times
from govsim.world.scenario import load_scenario

DATA = Path(__file__).parent / "data" / "logs"
ZH, NYC, FLOW = DATA / "grid_platform_zh.csv", DATA / "nyc311.csv", DATA / "grid_flow.csv"
GRIDS = DATA / "grid4.geojson"


def counts(log) -> dict[tuple[str, str], int]:
    """(kind, column) → count, from the problems table."""
    return {(r.kind, r.column): r.count for r in log.problems.itertuples()}


def excluded_rows(log) -> int:
    """Rows the problems table says were excluded (state-change incidents by their rows)."""
    return int(log.problems.loc[log.problems.action.str.startswith("excluded"), "count"].sum())


def test_shipped_mappings_are_found_by_name_and_not_listed_as_scenarios() -> None:
    from govsim import shipped

    assert mapping_names() == ["govsim", "grid_platform_zh", "nyc311"]
    assert not any(name.startswith("mappings") for name in shipped.names("scenarios"))
    assert load_mapping("nyc311").columns.incident_id == "unique_key"
    with pytest.raises(LogError, match=r"nyc312: no such mapping .* shipped: govsim, grid"):
        load_mapping("nyc312")


def test_the_chinese_export_every_problem_counted_and_none_dropped() -> None:
    log = read_log(ZH, "grid_platform_zh", scenario=load_scenario("kongtong"))
    assert counts(log) == {
        ("exact_duplicate", ""): 1,
        ("missing_id", ""): 1,
        ("duplicate_id", ""): 1,
        ("missing_time", "created"): 1,
        ("unparseable_time", "created"): 1,
        ("impossible_time", "created"): 2,  # 1970 and 2099
        ("unparseable_time", "closed"): 1,
        ("closed_before_created", "closed"): 1,
        ("assigned_before_created", "assigned"): 1,
        ("missing_type", "type"): 1,
        ("unknown_type", "type"): 1,
        ("missing_place", "cell"): 1,
        ("unknown_cell", "cell"): 1,
    }
    assert log.rows_in == 30 and log.rows_excluded == 7 == excluded_rows(log)
    assert len(log.incidents) == log.rows_in - log.rows_excluded
    table = log.incidents.set_index("incident_id")
    assert table.index.is_unique and "SJ016" not in table.index  # unparseable created
    assert table.loc["SJ013", "status"] == "已办结"  # the later export row supersedes
    assert table.loc["SJ011", "created"] == pd.Timestamp("2024-01-10 08:00")  # second format
    assert pd.isna(table.loc["SJ017", "closed"]) and pd.isna(table.loc["SJ020", "closed"])
    assert pd.isna(table.loc["SJ021", "assigned"])
    assert table.loc["SJ022", "type"] == "井盖缺失"  # unknown: kept as the platform names it
    assert list(log.flagged_ids("unknown_type")) == ["SJ022"]
    assert list(log.flagged_ids("unknown_cell")) == ["SJ025"]
    assert (table.loc["SJ001", "type"], table.loc["SJ001", "tier"]) == ("home_repair", "grid")
    assert table.loc["SJ008", "tier"] == "district" and table.loc["SJ008", "category"] == "环境"
    assert table.loc["SJ002", "channel"] == "12345热线"
    assert log.incidents["created"].dtype == "datetime64[ns]"


def test_a_gb18030_file_needs_its_encoding() -> None:
    utf8 = load_mapping("grid_platform_zh").model_dump()
    utf8["encoding"] = "utf-8"
    with pytest.raises(LogError, match=r"grid_platform_zh.csv"):
        read_log(ZH, validate_mapping(utf8))


def test_the_311_log_coordinates_matched_to_grid_polygons() -> None:
    log = read_log(NYC, "nyc311", geojson=GRIDS)
    assert counts(log) == {
        ("exact_duplicate", ""): 1,
        ("missing_id", ""): 1,
        ("duplicate_id", ""): 1,
        ("missing_time", "created"): 1,
        ("unparseable_time", "created"): 1,
        ("impossible_time", "created"): 1,  # 1999
        ("dst_ambiguous", "created"): 1,
        ("dst_nonexistent", "created"): 1,
        ("unparseable_time", "closed"): 1,  # 31 February
        ("closed_before_created", "closed"): 1,
        ("bad_number", "latitude/longitude"): 2,  # "abc" and 95°
        ("outside_map", "cell"): 1,
        ("missing_place", "cell"): 3,  # the two bad coordinates and one blank
    }
    assert log.rows_in == 25 and len(log.incidents) == 25 - 6 == 25 - excluded_rows(log)
    cell = log.incidents.set_index("incident_id")["cell"]
    assert cell[["1001", "1002", "1003", "1004", "1005"]].tolist() == ["g1", "g3", "g2", "g4", "g3"]
    assert cell["1018"] == "g1"  # on the g1|g2 border: the first polygon in the file
    assert cell[["1008", "1009", "1010"]].isna().all()
    assert list(log.flagged_ids("outside_map")) == ["1008"]
    assert "Rodent" in set(log.incidents["type"])  # no scenario: unknown types not judged


def test_a_geojson_scenario_map_places_the_log_by_its_bottom_tier() -> None:
    scenario = load_scenario(
        "demo", overrides={"map.generator": "geojson", "map.geojson": str(GRIDS)}
    )
    log = read_log(NYC, "nyc311", scenario=scenario)
    found = counts(log)
    assert ("unknown_cell", "cell") not in found and found[("outside_map", "cell")] == 1
    assert found[("unknown_type", "type")] == 4  # Rodent, and public_order not in the demo
    assert set(log.flagged_ids("unknown_type")) == {"1008", "1009", "1011", "1019"}
    assert set(log.incidents["cell"].dropna()) == {"g1", "g2", "g3", "g4"}


def test_numeric_platform_codes_are_read_as_text(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text("id,code,at,step\n7,101,2024-05-01 08:00:00,1\n"
                                      "7,101,2024-05-01 09:00:00,4\n")
    mapping = validate_mapping({
        "rows": "state_change",
        "columns": {"incident_id": "id", "type": "code"},
        "state_change": {"time": "at", "state": "step", "created": [1], "closed": [4]},
        "types": {101: "home_repair"},
    })  # fmt: skip
    log = read_log(tmp_path / "log.csv", mapping)
    assert log.problems.empty
    row = log.incidents.iloc[0]
    assert (row.type, row.closed) == ("home_repair", pd.Timestamp("2024-05-01 09:00"))


def test_reopenings_given_per_incident_are_counts(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(
        "id,t,at,again\n1,a,2024-05-01 08:00:00,2\n2,a,2024-05-01 09:00:00,\n"
        "3,a,2024-05-01 10:00:00,often\n4,a,2024-05-01 11:00:00,-1\n"
    )
    mapping = validate_mapping(
        {"columns": {"incident_id": "id", "type": "t", "created": "at", "reopened": "again"}}
    )
    log = read_log(tmp_path / "log.csv", mapping)
    assert log.incidents["reopened"].tolist() == [2, 0, 0, 0]
    assert counts(log) == {("bad_number", "reopened"): 2}
    assert list(log.flagged_ids("bad_number")) == ["3", "4"]


def test_time_zones_converted_across_clock_changes() -> None:
    raw = load_mapping("nyc311").model_dump()
    raw["times"]["local_time_zone"] = "UTC"
    log = read_log(NYC, validate_mapping(raw))
    created = log.incidents.set_index("incident_id")["created"]
    assert created["1001"] == pd.Timestamp("2024-01-15 13:30")  # EST: +5 h
    assert created["1003"] == pd.Timestamp("2024-07-02 01:00")  # EDT: +4 h
    assert created["1005"] == pd.Timestamp("2024-02-01 15:00")  # ISO text, EST
    assert created["1006"] == pd.Timestamp("2024-11-03 05:30")  # twice: the EDT one
    assert created["1007"] == pd.Timestamp("2024-03-10 07:00")  # skipped: 03:00 EDT
    actions = log.problems.set_index("kind")["action"]
    assert actions["dst_ambiguous"] == "kept, read as the first (summer-time) one"
    as_written = read_log(NYC, "nyc311").incidents.set_index("incident_id")["created"]
    assert as_written["1006"] == pd.Timestamp("2024-11-03 01:30")  # no conversion asked


def test_a_state_change_log_pivoted_to_incidents() -> None:
    log = read_log(FLOW, DATA / "grid_flow.yaml")
    assert counts(log) == {
        ("exact_duplicate", ""): 1,
        ("missing_time", "state_change.time"): 1,
        ("unknown_state", "state_change.state"): 1,
        ("missing_created", ""): 1,
    }
    assert log.rows_excluded == 5  # A4's two rows counted with it
    kept_rows = 4 + 6 + 4 + 3
    assert log.rows_in == 22 == log.rows_excluded + kept_rows
    table = log.incidents.set_index("incident_id")
    assert list(table.index) == ["A1", "A2", "A3", "A5"]
    a2 = table.loc["A2"]
    assert a2.created == pd.Timestamp("2024-03-02 08:00")
    assert a2.assigned == pd.Timestamp("2024-03-02 09:00")  # the first of two
    assert a2.closed == pd.Timestamp("2024-03-03 15:00") and a2.reopened == 1
    assert pd.isna(table.loc["A3", "closed"]) and table.loc["A3", "reopened"] == 1
    assert table.loc["A3", "status"] == "重新打开"  # the last state, no status column
    assert (table.loc["A1", "type"], table.loc["A1", "unit"]) == ("home_repair", "网格一队")
    assert table.loc["A1", "closed"] == pd.Timestamp("2024-03-01 11:00")


def test_times_read_as_pandas_reads_them_where_strptime_would_roll_over() -> None:
    fmt = "%m/%d/%Y %I:%M:%S %p"
    text = pd.Series([
        "01/15/2024 08:30:00 PM", "1/5/2024 8:30:00 pm", "02/29/2023 01:00:00 AM",
        "02/31/2024 10:00:00 AM", "01/15/2024 08:30:60 PM", "01/15/24 08:30:00 PM",
        "01/15/2024 13:30:00 PM", "01/15/2024 08:30:00 PM junk", "12/31/9999 11:59:59 PM",
        "03/01/2024 12:00:01 AM",
    ], dtype="str")  # fmt: skip
    parsed = parse_times(text, Times(formats=[fmt]), "log", "created")
    expected = pd.to_datetime(text, format=fmt, errors="coerce")
    expected = expected.where(expected.dt.year < 9999).astype("datetime64[ns]")  # beyond ns
    pd.testing.assert_series_equal(parsed.values, expected, check_names=False)
    assert parsed.unparseable.tolist() == expected.isna().tolist()
    assert parsed.unparseable.sum() == 6  # 29 Feb 2023, 31 Feb, 2-digit year, 13 PM, junk, 9999


def test_parquet_reads_as_the_csv_does(tmp_path: Path) -> None:
    table = pacsv.read_csv(NYC, convert_options=pacsv.ConvertOptions(
        column_types={name: pa.string() for name in pacsv.read_csv(NYC).column_names}
    ))
    pq.write_table(table, tmp_path / "log.parquet")
    from_csv = read_log(NYC, "nyc311", geojson=GRIDS)
    from_parquet = read_log(tmp_path / "log.parquet", "nyc311", geojson=GRIDS)
    pd.testing.assert_frame_equal(from_parquet.incidents, from_csv.incidents)
    pd.testing.assert_frame_equal(from_parquet.problems, from_csv.problems)


def test_parquet_timestamps_and_numbers_are_taken_as_they_are(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "unique_key": ["1", "2"],
        "complaint_type": ["PLUMBING", "Rodent"],
        "created_date": pd.to_datetime(["2024-01-01 10:00", "2024-06-01 10:00"]),
        "closed_date": pd.to_datetime(["2024-01-01 12:00", None]),
        "agency": ["HPD", "DOHMH"], "status": ["Closed", "Open"],
        "latitude": [40.705, 40.715], "longitude": [-73.995, -73.985],
    })
    frame.to_parquet(tmp_path / "log.parquet")
    log = read_log(tmp_path / "log.parquet", "nyc311", geojson=GRIDS)
    assert log.problems.empty
    assert log.incidents["cell"].tolist() == ["g1", "g4"]
    assert log.incidents["closed"].isna().tolist() == [False, True]


def test_mapping_errors_name_the_file_the_field_and_what_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("columns: {incident_id: id, type: t, created: c, place: p}\n")
    with pytest.raises(LogError, match=r"(?s)m.yaml: invalid log mapping .*columns.place: unknown"
                       r" key; allowed: incident_id, type, category"):
        load_mapping(path)
    path.write_text("columns: {incident_id: id, type: t, created: c}\ntimes: {time_zone: Mars}\n")
    with pytest.raises(LogError, match=r"times.time_zone: unknown time zone 'Mars'"):
        load_mapping(path)
    path.write_text("rows: state_change\ncolumns: {incident_id: id, type: t, created: c}\n"
                    "state_change: {time: at, state: s, created: [new], closed: [done]}\n")
    with pytest.raises(LogError, match=r"columns.created: not with rows: state_change"):
        load_mapping(path)
    raw = load_mapping("nyc311").model_dump()
    raw["columns"]["type"] = "complaint"
    with pytest.raises(LogError, match=r"columns.type: column 'complaint' is not in the log; "
                       r"the log's columns: unique_key, created_date"):
        read_log(NYC, validate_mapping(raw))


def test_the_summary_prints_as_a_table_and_as_json() -> None:
    log = read_log(FLOW, DATA / "grid_flow.yaml")
    text = log.report()
    assert text.splitlines()[0].endswith("22 rows read, 4 incidents, 5 rows excluded")
    assert "unknown_state" in text and "missing_created" in text
    data = json.loads(log.to_json())
    assert data["rows_in"] == 22 and data["incidents"] == 4
    assert {p["kind"]: p["count"] for p in data["problems"]}["missing_created"] == 1
