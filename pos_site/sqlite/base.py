"""Django's SQLite backend, told the real limit of bound parameters per statement.

Django 5.2 assumes SQLite's old compile-time default of 999 variables, so a bulk insert of a
50-line sale is split into two statements. The SQLite shipped with Python has allowed 32,766 or
more since 3.32; reading the connection's actual limit (as Django 6.0 does) keeps checkout at
one INSERT per table whatever the number of lines.
"""

from __future__ import annotations

import sqlite3

from django.db.backends.sqlite3 import base, features
from django.utils.functional import cached_property


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self) -> int:
        self.connection.ensure_connection()
        return self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
