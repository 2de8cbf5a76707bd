"""A throwaway PostgreSQL server for the tests, and the sample tables loaded into it.

:func:`cluster` runs ``initdb`` in a fresh temporary folder, starts the server on a free
port of 127.0.0.1 and removes everything again on exit (``pg_ctl stop -m immediate``, then
the folder), whether the tests passed or not. ``initdb`` refuses to run as root: as root,
the server runs as the ``postgres`` OS user (``runuser``) in a folder that user owns.

Connections over TCP use ``scram-sha-256``: every role, the superuser too, needs its
password, so a test of how passwords reach the server proves something. The superuser's
password is random and part of :attr:`Cluster.admin_url`. Only the Unix socket (inside the
temporary folder, which only the server's OS user and root can enter) is ``trust``.

:func:`load_workspace` copies a workspace's events, surveys and accounts into typed tables
``app_events``, ``nps`` and ``accounts`` of one schema; :func:`create_reader` adds a role
that can only read them, as on a hot-standby replica.

psycopg is imported inside the functions, so that this module can be imported (pytest's
``--doctest-modules`` does) where the ``postgres`` extra is not installed.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import duckdb

from cvlib.engine.sql import timestamp_sql

OS_USER = "postgres"  # the OS user the server runs as when the tests run as root
SUPERUSER = "postgres"
HOST = "127.0.0.1"
READER_PASSWORD = "p@ss/w#rd:1"  # every character that a URL must percent-encode
# a throwaway server: nothing has to survive a crash
SETTINGS = {
    "listen_addresses": HOST,
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "30",
    "shared_buffers": "32MB",
    "logging_collector": "off",
    "log_min_messages": "warning",
    "TimeZone": "UTC",
}


def find_bin_dir() -> Path | None:
    """The folder of ``initdb``, ``pg_ctl`` and ``postgres``, or None when not installed.

    The newest ``/usr/lib/postgresql/<major>/bin`` holding ``initdb`` (Debian's layout),
    else ``pg_config --bindir`` when it holds ``initdb``.
    """
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if _is_exe(p)]
    numeric = [p for p in found if p.parent.name.isdigit()]
    if numeric:
        return max(numeric, key=lambda p: int(p.parent.name))
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
    bindir = Path(done.stdout.strip())
    return bindir if done.returncode == 0 and _is_exe(bindir / "initdb") else None


def _is_exe(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


@dataclass(frozen=True, slots=True)
class Cluster:
    """A running server: where it listens and how to reach it as the superuser.

    Attributes
    ----------
    host, port : str, int
        Where it listens (TCP, 127.0.0.1 only).
    admin_url : str
        ``postgresql://postgres:<password>@127.0.0.1:<port>/postgres``, the superuser.
    directory : Path
        The temporary folder: ``data/`` (the cluster), ``server.log``, the socket.
    bin_dir : Path
        Where ``initdb`` and ``pg_ctl`` were found.
    """

    host: str
    port: int
    admin_url: str
    directory: Path
    bin_dir: Path
    superuser_password: str = field(repr=False)

    def url(self, database: str) -> str:
        """The superuser's URL of ``database``."""
        return (
            f"postgresql://{SUPERUSER}:{self.superuser_password}@{self.host}:{self.port}/"
            f"{quote(database, safe='')}"
        )

    def create_database(self, name: str) -> str:
        """Create the database ``name`` (UTF8, from template0); return its superuser URL."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.admin_url, autocommit=True) as con:
            con.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    sql.Identifier(name)
                )
            )
        return self.url(name)

    def log(self) -> str:
        """The server's log so far (for a failing test's message)."""
        path = self.directory / "server.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


@contextlib.contextmanager
def cluster(*, start_timeout: float = 30.0) -> Iterator[Cluster]:
    """Start a fresh PostgreSQL server; stop it and delete its folder on exit.

    Parameters
    ----------
    start_timeout : float
        Seconds ``pg_ctl start`` may wait for the server to accept connections.

    Yields
    ------
    Cluster
        The running server.

    Raises
    ------
    RuntimeError
        When PostgreSQL is not installed, or ``initdb`` or the start fails (with its output
        and the server log).
    """
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: no initdb under /usr/lib/postgresql")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", OS_USER, "--"] if as_root else []
    directory = Path(tempfile.mkdtemp(prefix="cvlib-pg-", dir=_temp_base(as_root)))
    try:
        password = secrets.token_hex(16)
        password_file = directory / "superuser-password"
        password_file.write_text(password + "\n", encoding="utf-8")
        if as_root:
            owner = pwd.getpwnam(OS_USER)
            for path in (directory, password_file):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        data = directory / "data"
        _run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "--pgdata",
                str(data),
                "--username",
                SUPERUSER,
                f"--pwfile={password_file}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ],
            directory,
        )
        password_file.unlink()
        settings = {**SETTINGS, "unix_socket_directories": str(directory)}
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# tests/postgres.py\n")
            conf.writelines(
                f"{k} = '{v.replace(chr(39), chr(39) * 2)}'\n" for k, v in settings.items()
            )
        port = _start(prefix, bin_dir, directory, start_timeout)
        try:
            yield Cluster(
                host=HOST,
                port=port,
                admin_url=f"postgresql://{SUPERUSER}:{password}@{HOST}:{port}/postgres",
                directory=directory,
                bin_dir=bin_dir,
                superuser_password=password,
            )
        finally:
            subprocess.run(
                [*prefix, str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate"],
                cwd=directory,
                capture_output=True,
                check=False,
            )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _temp_base(as_root: bool) -> str | None:
    """The folder for the cluster's folder: the usual temporary folder, or /tmp when the
    server's OS user could not reach it (root's TMPDIR under /root, say)."""
    base = Path(tempfile.gettempdir()).resolve()
    if not as_root:
        return None
    reachable = all(p.stat().st_mode & stat.S_IXOTH for p in (base, *base.parents))
    return None if reachable else "/tmp"


def _start(prefix: list[str], bin_dir: Path, directory: Path, timeout: float) -> int:
    """Start the server on a free port; return the port. A port that another process took
    between the pick and the bind is retried with a new one."""
    for attempt in range(3):
        port = _free_port()
        command = [
            *prefix,
            str(bin_dir / "pg_ctl"),
            "start",
            "--pgdata",
            str(directory / "data"),
            "--log",
            str(directory / "server.log"),
            "--wait",
            "--timeout",
            str(round(timeout)),
            "--options",
            f"-p {port}",
        ]
        done = subprocess.run(command, cwd=directory, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return port
        log_file = directory / "server.log"
        log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
        if "could not bind" not in log or attempt == 2:
            raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}{done.stderr}\n{log}")
        time.sleep(0.1)
    raise AssertionError("unreachable")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _run(command: list[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed:\n{done.stdout}{done.stderr}")


# ---------------------------------------------------------------- the workspace's tables
def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig") as handle:
        return handle.readline().rstrip("\r\n").split(",")


def _instant_text(column: str, timezone: str) -> str:
    """DuckDB SQL: the instant of ``timestamp_sql`` as UTC text PostgreSQL parses exactly."""
    return (
        f"strftime(timezone('UTC', {timestamp_sql(column, timezone)}), "
        f"'%Y-%m-%d %H:%M:%S.%f') || '+00'"
    )


def _tables(csv_root: Path, timezone: str, dates_as_text: bool) -> dict[str, tuple[str, list]]:
    """Table -> (DuckDB SELECT of the CSV file, [(column, PostgreSQL type)]).

    Timestamps leave DuckDB as UTC text (no Python time zones in between), so PostgreSQL
    gets exactly the instant and the microseconds ``timestamp_sql`` reads.
    """
    date_type = "TEXT" if dates_as_text else "DATE"

    def day(column: str, empty: str) -> str:
        parsed = f"strftime(CAST(NULLIF(trim({column}), '') AS DATE), '%Y-%m-%d')"
        return f"COALESCE({parsed}, {empty})" if dates_as_text else parsed

    # file -> table, its columns (name, PostgreSQL type, DuckDB expression), then the
    # optional ones, kept when the file has them
    layout = {
        "events": (
            "app_events",
            [
                ("timestamp", "TIMESTAMPTZ", _instant_text("timestamp", timezone)),
                ("user_id", "TEXT", '"user_id"'),
                ("event", "TEXT", '"event"'),
            ],
            [("segment", "TEXT", '"segment"')],
        ),
        "surveys": (
            "nps",
            [
                ("response_id", "TEXT", '"response_id"'),
                ("user_id", "TEXT", '"user_id"'),
                ("submitted_at", "TIMESTAMPTZ", _instant_text("submitted_at", timezone)),
                ("score", "INTEGER", 'CAST("score" AS INTEGER)'),
            ],
            [(c, "TEXT", f'"{c}"') for c in ("comment", "feature_id", "segment")],
        ),
        "accounts": (
            "accounts",
            [
                ("account_id", "TEXT", '"account_id"'),
                ("started_on", date_type, day('"started_on"', "NULL")),
                # an account still active has no churned_on: NULL, or '' as in the CSV file
                ("churned_on", date_type, day('"churned_on"', "''")),
            ],
            [
                ("segment", "TEXT", '"segment"'),
                ("mrr", "DOUBLE PRECISION", 'CAST("mrr" AS DOUBLE)'),
            ],
        ),
        "exposures": (
            "exposures",
            [
                ("unit_id", "TEXT", '"unit_id"'),
                ("unit", "TEXT", '"unit"'),
                ("feature_id", "TEXT", '"feature_id"'),
                ("group", "TEXT", '"group"'),
                ("assigned_at", "TIMESTAMPTZ", _instant_text("assigned_at", timezone)),
            ],
            [],
        ),
    }
    out = {}
    for name, (table, required, optional) in layout.items():
        path = csv_root / f"{name}.csv"
        if name == "exposures" and not path.is_file():
            continue  # optional: a workspace without a holdout
        header = _header(path)
        cols = required + [c for c in optional if c[0] in header]
        select = ", ".join(f'{expr} AS "{column}"' for column, _, expr in cols)
        source = f"read_csv('{path}', all_varchar = true, header = true)"
        out[table] = (f"SELECT {select} FROM {source}", [(c, t) for c, t, _ in cols])
    return out


def load_workspace(
    url: str,
    csv_root: Path,
    schema: str,
    *,
    timezone: str,
    dates_as_text: bool = False,
) -> None:
    """Create ``schema`` in the database at ``url`` with the workspace's event-scale tables.

    Tables (in ``schema``; qualify them, ``schema.app_events``, or set ``search_path``):

    - ``app_events`` from events.csv: timestamp TIMESTAMPTZ, user_id, event TEXT, and
      segment TEXT when the file has it;
    - ``nps`` from surveys.csv: response_id, user_id TEXT, submitted_at TIMESTAMPTZ,
      score INTEGER, and comment, feature_id, segment TEXT when present;
    - ``accounts`` from accounts.csv: account_id TEXT, started_on and churned_on DATE
      (empty -> NULL), and segment TEXT, mrr DOUBLE PRECISION when present;
    - ``exposures`` from exposures.csv when the workspace has one: unit_id, unit,
      feature_id, group TEXT, assigned_at TIMESTAMPTZ.

    Parameters
    ----------
    url : str
        A libpq URL of the target database, as a role that may create schemas.
    csv_root : Path
        The workspace folder holding events.csv, surveys.csv and accounts.csv.
    schema : str
        The schema to create (it must not exist yet).
    timezone : str
        The workspace's IANA time zone: a naive timestamp or a bare date is wall-clock time
        there, exactly as :func:`cvlib.engine.sql.timestamp_sql` reads it.
    dates_as_text : bool
        Store started_on and churned_on as TEXT ``YYYY-MM-DD`` instead; an empty churned_on
        stays the empty string ``''``, as in the CSV file.

    Notes
    -----
    DuckDB reads the CSV files and converts the values; psycopg's ``COPY ... FROM STDIN``
    writes them, so PostgreSQL parses the same text the reference engine produced.
    """
    import psycopg
    from psycopg import sql

    duck = duckdb.connect()
    try:
        duck.execute("SET TimeZone = 'UTC'")
        with psycopg.connect(url) as con, con.cursor() as cur:
            cur.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
            for table, (select, columns) in _tables(
                Path(csv_root), timezone, dates_as_text
            ).items():
                name = sql.Identifier(schema, table)
                cur.execute(
                    sql.SQL("CREATE TABLE {} ({})").format(
                        name,
                        sql.SQL(", ").join(
                            sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
                            for c, t in columns
                        ),
                    )
                )
                rows = duck.execute(select)
                copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    name, sql.SQL(", ").join(sql.Identifier(c) for c, _ in columns)
                )
                with cur.copy(copy_sql) as copy:
                    while batch := rows.fetchmany(10_000):
                        for row in batch:
                            copy.write_row(row)
                cur.execute(sql.SQL("ANALYZE {}").format(name))
    finally:
        duck.close()


def create_reader(
    admin_url: str,
    database: str,
    schema: str,
    role: str = "cvlib_reader",
    password: str = READER_PASSWORD,
) -> str:
    """A role that can only read ``schema`` of ``database``; return its URL.

    The role logs in with ``password`` (scram-sha-256), has USAGE on ``schema`` and SELECT
    on its tables, ``search_path`` set to ``schema`` in ``database``, and
    ``default_transaction_read_only = on``: every transaction it starts is read-only, as
    on a hot-standby replica, so CREATE VIEW and CREATE TEMP TABLE fail. Calling it again
    for the same role (another database, say) sets the password again and adds the grants.

    Parameters
    ----------
    admin_url : str
        A superuser URL of the cluster (:attr:`Cluster.admin_url`).
    database, schema : str
        Where the tables are (see :func:`load_workspace`).
    role, password : str
        The role's name and password.

    Returns
    -------
    str
        ``postgres://ROLE:PASSWORD@HOST:PORT/DATABASE``, name and password percent-encoded.

    Notes
    -----
    Unlike a real standby, the role may still ``SET default_transaction_read_only = off``
    in its own session: the setting is a default, not a wall.
    """
    import psycopg
    from psycopg import conninfo, sql

    target = conninfo.make_conninfo(admin_url, dbname=database)
    ident, schema_ident = sql.Identifier(role), sql.Identifier(schema)
    with psycopg.connect(target, autocommit=True) as con:
        exists = con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        verb = "ALTER" if exists else "CREATE"
        statements = [
            sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(password)),
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), ident),
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema_ident, ident),
            sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schema_ident, ident),
            sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(ident),
            sql.SQL("ALTER ROLE {} IN DATABASE {} SET search_path = {}").format(
                ident, sql.Identifier(database), schema_ident
            ),
        ]
        for statement in statements:
            con.execute(statement)
    parts = urlsplit(admin_url)
    return (
        f"postgres://{quote(role, safe='')}:{quote(password, safe='')}@"
        f"{parts.hostname}:{parts.port}/{quote(database, safe='')}"
    )
