"""The throwaway PostgreSQL server of tests/postgres.py, and the tables it loads.

The engine tests trust this harness to hold exactly the workspace's data: the same rows,
the same instants (to the microsecond) as the reference DuckDB reading, and a reader role
that really is read-only and really needs its password.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest
import yaml
from postgres import READER_PASSWORD, create_reader, load_workspace

from cvlib.engine.sql import timestamp_sql

if os.environ.get("CI"):
    import psycopg  # under CI the postgres extra is installed: never skip
else:
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (postgres extra)")

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
TIMEZONE = yaml.safe_load((SAMPLE / "workspace.yaml").read_text(encoding="utf-8"))["timezone"]
FILES = {"app_events": "events", "nps": "surveys", "accounts": "accounts"}
TIME_COLUMNS = {"app_events": "timestamp", "nps": "submitted_at"}


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def duckdb_epoch_us(path: Path, column: str, timezone: str, aggregate: str = "") -> list[int]:
    """``timestamp_sql``'s instants of ``column`` as microseconds since 1970 (UTC), in file
    order, or one value when ``aggregate`` (``max``) is given."""
    value = f"epoch_us({timestamp_sql(column, timezone)})"
    if aggregate:
        value = f"{aggregate}({value})"
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        rows = con.execute(
            f"SELECT {value} FROM read_csv('{path}', all_varchar = true, header = true)"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def pg_epoch_us(con, table: str, column: str, order: str = "") -> list[int]:
    # extract(epoch ...) is numeric in PostgreSQL 14 and later: exact to the microsecond
    query = f'SELECT CAST(extract(epoch FROM "{column}") * 1000000 AS BIGINT) FROM {table}'
    return [r[0] for r in con.execute(query + (f" ORDER BY {order}" if order else ""))]


@pytest.fixture(scope="module")
def sample_db(postgres):
    """The sample workspace in database ``sample``: schema ``ws`` (DATE columns) and
    ``ws_text`` (dates as text)."""
    url = postgres.create_database("sample")
    load_workspace(url, SAMPLE, "ws", timezone=TIMEZONE)
    load_workspace(url, SAMPLE, "ws_text", timezone=TIMEZONE, dates_as_text=True)
    return url


def test_the_server_answers_on_loopback_without_fsync(postgres):
    with psycopg.connect(postgres.admin_url) as con:
        assert con.execute("SELECT 1").fetchone() == (1,)
        settings = dict(
            con.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('listen_addresses', 'fsync', 'unix_socket_directories', 'port')"
            ).fetchall()
        )
        version = con.info.server_version
    assert settings == {
        "listen_addresses": "127.0.0.1",
        "fsync": "off",
        "unix_socket_directories": str(postgres.directory),
        "port": str(postgres.port),
    }
    if postgres.bin_dir.parent.name.isdigit():  # /usr/lib/postgresql/<major>/bin
        assert version // 10000 == int(postgres.bin_dir.parent.name)


def test_sample_tables_hold_the_csv_rows_and_duckdb_instants(sample_db):
    with psycopg.connect(sample_db) as con:
        for table, name in FILES.items():
            rows = csv_rows(SAMPLE / f"{name}.csv")
            assert con.execute(f"SELECT count(*) FROM ws.{table}").fetchone() == (len(rows),)
            assert con.execute(f"SELECT count(*) FROM ws_text.{table}").fetchone() == (len(rows),)
        for table, column in TIME_COLUMNS.items():
            path = SAMPLE / f"{FILES[table]}.csv"
            expected = duckdb_epoch_us(path, column, TIMEZONE, "max")
            assert pg_epoch_us(
                con, f"(SELECT max({column}) AS {column} FROM ws.{table}) m", column
            ) == (expected)
        types = dict(
            con.execute(
                "SELECT table_schema || '.' || table_name || '.' || column_name, data_type "
                "FROM information_schema.columns WHERE table_schema IN ('ws', 'ws_text') "
                "AND column_name IN ('timestamp', 'submitted_at', 'score', 'started_on', "
                "'churned_on', 'mrr')"
            ).fetchall()
        )
        active = sum(r["churned_on"] == "" for r in csv_rows(SAMPLE / "accounts.csv"))
        nulls = con.execute("SELECT count(*) FROM ws.accounts WHERE churned_on IS NULL")
        empty = con.execute("SELECT count(*) FROM ws_text.accounts WHERE churned_on = ''")
        text_days = con.execute(
            "SELECT count(*) FROM ws_text.accounts "
            "WHERE started_on !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' "
            "OR churned_on !~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'"
        )
        assert (nulls.fetchone(), empty.fetchone(), text_days.fetchone()) == (
            (active,),
            (active,),
            (0,),
        )
    assert active > 0
    assert types == {
        "ws.app_events.timestamp": "timestamp with time zone",
        "ws.nps.submitted_at": "timestamp with time zone",
        "ws.nps.score": "integer",
        "ws.accounts.started_on": "date",
        "ws.accounts.churned_on": "date",
        "ws.accounts.mrr": "double precision",
        "ws_text.app_events.timestamp": "timestamp with time zone",
        "ws_text.nps.submitted_at": "timestamp with time zone",
        "ws_text.nps.score": "integer",
        "ws_text.accounts.started_on": "text",
        "ws_text.accounts.churned_on": "text",
        "ws_text.accounts.mrr": "double precision",
    }


# Each way a timestamp is written, and its instant (UTC) worked out by hand: Berlin is
# UTC+1 in winter, UTC+2 from 2026-03-29 01:00 UTC.
EDGE_TIMESTAMPS = [
    ("2026-03-01T10:00:00Z", "2026-03-01 10:00:00"),
    ("2026-03-01T10:00:00z", "2026-03-01 10:00:00"),
    ("2026-03-01T10:00:00.123456+05:30", "2026-03-01 04:30:00.123456"),
    ("2026-03-01T10:00:00-0800", "2026-03-01 18:00:00"),
    ("2026-03-01T10:00:00+02", "2026-03-01 08:00:00"),
    ("2026-03-01T23:30:00", "2026-03-01 22:30:00"),
    ("2026-03-01 23:30:00.000001", "2026-03-01 22:30:00.000001"),
    ("2026-03-01", "2026-02-28 23:00:00"),
    ("2026-03-29 03:30:00", "2026-03-29 01:30:00"),
    (" 2026-07-01T12:00:00 ", "2026-07-01 10:00:00"),
]


def test_every_way_of_writing_a_timestamp_keeps_its_instant(postgres, tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    lines = [f'"{text}",u-{i:02d},login' for i, (text, _) in enumerate(EDGE_TIMESTAMPS)]
    (root / "events.csv").write_text("timestamp,user_id,event\n" + "\n".join(lines) + "\n")
    (root / "surveys.csv").write_text(
        "response_id,user_id,submitted_at,score\n"
        + "".join(f'R-{i:02d},u-{i:02d},"{t}",{i}\n' for i, (t, _) in enumerate(EDGE_TIMESTAMPS))
    )
    (root / "accounts.csv").write_text("account_id,started_on,churned_on\nA-1,2026-01-05,\n")
    url = postgres.create_database("edges")
    load_workspace(url, root, "ws", timezone="Europe/Berlin")
    duck = duckdb.connect()
    expected = [
        duck.execute(f"SELECT epoch_us(TIMESTAMP '{utc}')").fetchone()[0]
        for _, utc in EDGE_TIMESTAMPS
    ]
    duck.close()
    with psycopg.connect(url) as con:
        events = pg_epoch_us(con, "ws.app_events", "timestamp", "user_id")
        surveys = pg_epoch_us(con, "ws.nps", "submitted_at", "response_id")
        columns = con.execute(
            "SELECT table_name, string_agg(column_name, ',' ORDER BY ordinal_position) "
            "FROM information_schema.columns WHERE table_schema = 'ws' GROUP BY table_name "
            "ORDER BY table_name"
        ).fetchall()
        account = con.execute("SELECT * FROM ws.accounts").fetchall()
    assert events == surveys == expected
    assert expected == duckdb_epoch_us(root / "events.csv", "timestamp", "Europe/Berlin")
    # optional columns absent from the files are absent from the tables
    assert columns == [
        ("accounts", "account_id,started_on,churned_on"),
        ("app_events", "timestamp,user_id,event"),
        ("nps", "response_id,user_id,submitted_at,score"),
    ]
    assert [(a, d.isoformat(), c) for a, d, c in account] == [("A-1", "2026-01-05", None)]


def test_the_reader_only_reads_and_needs_its_password(postgres, sample_db):
    url = create_reader(postgres.admin_url, "sample", "ws")
    assert url == (
        f"postgres://cvlib_reader:{quote(READER_PASSWORD, safe='')}@127.0.0.1:{postgres.port}"
        "/sample"
    )
    assert "p%40ss%2Fw%23rd%3A1" in url
    with psycopg.connect(url) as con:
        # search_path is the schema: unqualified names are its tables
        assert con.execute("SELECT count(*) FROM app_events").fetchone()[0] > 0
        assert con.execute("SHOW transaction_read_only").fetchone() == ("on",)
        con.rollback()
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction, match="read-only transaction"):
            con.execute("CREATE TEMP VIEW v AS SELECT 1")
        con.rollback()
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction, match="read-only transaction"):
            con.execute("CREATE TEMP TABLE t (x integer)")
        con.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="ws_text"):
            con.execute("SELECT count(*) FROM ws_text.accounts")
    wrong = url.replace(quote(READER_PASSWORD, safe=""), quote("p@ss/w#rd:2", safe=""))
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong).close()
