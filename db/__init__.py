"""The aiosqlite data layer: one module per table family, parameterised SQL only."""

from db.connection import Database, from_db, open_db, to_db

__all__ = ["Database", "from_db", "open_db", "to_db"]
