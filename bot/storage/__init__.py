"""Storage adapter: SQLAlchemy engine, schema, migrations and repositories."""
