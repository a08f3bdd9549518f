"""The metadata store: tables, engine and sessions, migrations, and the repository functions."""
