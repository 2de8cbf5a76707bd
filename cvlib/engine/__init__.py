"""The query engine: where event-scale tables live, and the aggregates computed there.

- :mod:`cvlib.engine.sources`: :class:`~cvlib.engine.sources.Source` (a CSV
  file, Parquet files or a table behind a connection) and its profile;
- :mod:`cvlib.engine.database`: the process's embedded DuckDB database;
- :mod:`cvlib.engine.sql`: pieces of SQL shared by every query;
- :mod:`cvlib.engine.scan`: a source ready for queries on its engine
  (embedded DuckDB, PySpark, or a database through ibis);
- :mod:`cvlib.engine.checks`: the contract's checks of a table, in the engine;
- :mod:`cvlib.engine.parquet_meta`: facts read from Parquet footers;
- :mod:`cvlib.engine.queries`: profiles and survey comments.

The engine returns aggregates (counts, latest instants), never whole tables.
The metrics' own queries live with each metric (:mod:`cvlib.metrics`).
Importing this package imports none of its modules, nor DuckDB or ibis.
"""
