"""`python manage.py backup PATH`: a consistent copy of the database while the shop keeps selling.

SQLite: the online backup API (`sqlite3.Connection.backup`), page by page, safe while other
processes write; the copy is checked with `PRAGMA integrity_check`. Restore by stopping the
server and putting the file in place of the database (or pointing DATABASE_URL at it).

PostgreSQL: `pg_dump --format=custom` (a snapshot: sales committed after it started are not in
it). Restore into a fresh, empty database with
`createdb pos_restored && pg_restore --no-owner --dbname=pos_restored PATH`.
Without `pg_dump` on the PATH the command prints the command to run instead and fails.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Copy the database to PATH while the shop runs (SQLite backup API or pg_dump)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="The file to write (an existing file is refused).")
        parser.add_argument("--overwrite", action="store_true", help="Replace an existing file.")

    def handle(self, *args, path: str, overwrite: bool, **options) -> None:
        target = Path(path)
        if target.exists() and not overwrite:
            raise CommandError(f"{target} exists; choose another name or pass --overwrite.")
        target.parent.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "sqlite":
            self._sqlite(target)
        elif connection.vendor == "postgresql":
            self._postgresql(target)
        else:  # pragma: no cover - the settings allow only these two
            raise CommandError(f"No backup method for {connection.vendor}.")
        size = target.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backed up to {target} ({size:,} bytes)."))

    def _sqlite(self, target: Path) -> None:
        connection.ensure_connection()
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        copy = sqlite3.connect(partial)
        try:
            connection.connection.backup(copy, pages=1024)
            (result,) = copy.execute("PRAGMA integrity_check").fetchone()
            if result != "ok":
                raise CommandError(f"The copy failed its integrity check: {result}")
        finally:
            copy.close()
        os.replace(partial, target)  # never a half-written file under the final name

    def _postgresql(self, target: Path) -> None:
        db = connection.settings_dict
        command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if db.get(key):
                command.append(f"{flag}={db[key]}")
        command.append(db["NAME"])
        executable = shutil.which("pg_dump")
        if executable is None:
            raise CommandError(
                "pg_dump is not installed (Debian: apt-get install postgresql-client). "
                f"Run instead: {shlex.join(command)}"
            )
        env = {**os.environ}
        if db.get("PASSWORD"):
            env["PGPASSWORD"] = db["PASSWORD"]
        partial = target.with_name(target.name + ".partial")
        command[3] = f"--file={partial}"
        # pg_dump from the PATH with an argument list built from the settings; never a shell.
        result = subprocess.run(  # noqa: S603  # nosec B603
            [executable, *command[1:]], env=env, capture_output=True, text=True, timeout=3600
        )
        if result.returncode:
            partial.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()[-2000:]}")
        os.replace(partial, target)
