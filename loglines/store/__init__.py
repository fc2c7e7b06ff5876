"""The store: where loglines keeps what it sees, in SQLite or PostgreSQL.

``schema`` holds the tables, ``engine`` opens the database named by
``[store] url``, ``migrate`` builds and checks the schema through the
Alembic scripts in ``migrations/`` (``loglines store migrate``).
"""
