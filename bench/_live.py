"""A live gunicorn server on a throw-away database, and registers selling against it over HTTP.

Shared by the throughput benchmark (bench/throughput.py) and the load and fault tests
(tests/reliability/). Everything here runs the application in other processes: the database is
created, migrated, seeded and inspected by `python -m bench._live <command>` subprocesses, the
server is gunicorn, and the registers are threads speaking plain `http.client` to 127.0.0.1.

    python -m bench._live seed '{"registers": 4, "products": 20, "stock": 1000}'
    python -m bench._live inspect
(with DATABASE_URL naming the throw-away database)
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
HOST = "127.0.0.1"  # the only address anything here ever talks to
TEST_CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}


# --------------------------------------------------------------------------- databases


def _admin_url(url: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/postgres".replace("postgres://", "postgresql://")


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.startswith("postgres")


def create_database(label: str, *, postgres_url: str | None = None, template: str = "") -> str:
    """A fresh database: `pos_<label>_<pid>` on PostgreSQL (copied from `template`'s database
    when given), else a temporary SQLite file (a copy of `template`'s file when given)."""
    if is_postgres(postgres_url):
        import psycopg

        base, _, _ = postgres_url.rpartition("/")
        name = f"pos_{label}_{os.getpid()}"
        source = f' TEMPLATE "{template.rpartition("/")[2]}"' if template else ""
        with psycopg.connect(_admin_url(postgres_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"{source}')
        return f"{base}/{name}"
    folder = tempfile.mkdtemp(prefix=f"pos-{label}-")
    path = Path(folder) / "db.sqlite3"
    if template:
        source_path = Path(template.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{source_path}{suffix}").exists():
                shutil.copyfile(f"{source_path}{suffix}", f"{path}{suffix}")
    return f"sqlite:///{path}"


def drop_database(url: str) -> None:
    if is_postgres(url):
        import psycopg

        with psycopg.connect(_admin_url(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')
    else:
        shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent, ignore_errors=True)


def app_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of every process of the application under test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    media = tempfile.gettempdir() + "/pos-live-media"
    env.update(
        DJANGO_ENV="test",
        DJANGO_SETTINGS_MODULE="pos_site.settings",
        DATABASE_URL=url,
        LOG_LEVEL="WARNING",
        MEDIA_ROOT=media,
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def manage(url: str, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=app_env(url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def _helper(url: str, command: str, options: dict | None = None, timeout: float = 300) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench._live", command, json.dumps(options or {})],
        cwd=ROOT,
        env=app_env(url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(f"bench._live {command} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def seed(url: str, **options) -> dict:
    """Registers, cashiers with API tokens and products; see `_seed` for the options."""
    return _helper(url, "seed", options)


def inspect(url: str) -> dict:
    """Every invariant of the sales and the stock ledger, as figures; see `_inspect`."""
    return _helper(url, "inspect")


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving pos_site.wsgi on 127.0.0.1:<port>, in its own process group so that a
    kill reaches the master and every worker at once (no orphaned worker keeps the port)."""

    def __init__(self, url: str, *, workers: int = 3, port: int | None = None, log: Path | None):
        self.url, self.workers, self.port = url, workers, port or free_port()
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Server:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "pos_site.wsgi",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--backlog",
                "256",
            ],
            cwd=ROOT,
            env=app_env(self.url),
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
        if out is not subprocess.DEVNULL:
            out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}; see {self.log}"
                )
            try:
                status, _, _ = call(self.port, "GET", "/api/v1/shifts/current/", timeout=5)
                if status == 401:  # a worker answered (anonymous callers get 401)
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)
        if self.process is not None:
            try:  # workers left behind by a killed master
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def call(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    *,
    token: str = "",
    timeout: float = 30,
) -> tuple[int, dict | None, bytes]:
    """One HTTP request on a fresh connection: (status, JSON answer or None, raw body)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:
            answer = None
        return response.status, answer, raw
    finally:
        connection.close()


# --------------------------------------------------------------------------- the registers


@dataclass
class TillStats:
    sales: list[dict] = field(default_factory=list)  # {"key", "number", "total", "status"}
    latency_ms: dict[str, list[float]] = field(default_factory=dict)
    sale_ms: list[float] = field(default_factory=list)  # whole sale: cart, scans, checkout
    errors: list[str] = field(default_factory=list)  # unexpected answers (must stay empty)
    failures: list[dict] = field(default_factory=list)  # lost connections and 5xx answers:
    # {"kind", "status" (None when the connection was lost), "body"}
    refusals: int = 0  # 409 insufficient_stock (expected when stock runs out)
    replays: int = 0  # a retried checkout answered 200 with the sale already made


class Till(threading.Thread):
    """One register: opens its shift, then sells until `deadline` or `max_sales`.

    A sale is a cart, 1–8 scans by barcode, and a checkout with cash (two in three) or card plus
    cash, each with a fresh idempotency key. With `retry`, a lost connection or a 5xx answer is
    retried with the same request (the same key for a checkout) until `deadline + grace`.
    """

    def __init__(
        self,
        port_of,
        till: dict,
        barcodes: list[str],
        *,
        deadline: float,
        max_sales: int,
        retry: bool,
        seed: int,
        stop: threading.Event,
        grace: float = 30,
        on_sale=None,
    ):
        super().__init__(daemon=True)
        self.port_of = port_of  # a callable: the port may change when the server restarts
        self.till, self.barcodes = till, barcodes
        self.deadline, self.max_sales, self.retry = deadline, max_sales, retry
        self.rng = random.Random(seed)
        self.stop_event = stop
        self.grace = grace
        self.on_sale = on_sale
        self.stats = TillStats()

    # One request, timed, retried when asked to.
    def _call(self, kind: str, method: str, path: str, body: dict | None = None):
        hard_stop = self.deadline + self.grace
        pause = 0.05
        while True:
            start = time.perf_counter()
            try:
                status, answer, raw = call(
                    self.port_of(), method, path, body, token=self.till["token"], timeout=20
                )
            except (OSError, http.client.HTTPException) as error:
                status, answer, raw = None, None, repr(error).encode()
            elapsed = (time.perf_counter() - start) * 1000
            if status is not None and status < 500:
                self.stats.latency_ms.setdefault(kind, []).append(elapsed)
                return status, answer
            self.stats.failures.append({"kind": kind, "status": status, "body": raw[:2000]})
            if not self.retry or time.monotonic() > hard_stop:
                self.stats.errors.append(f"{kind} {method} {path}: {status} {raw[:300]!r}")
                return status, answer
            time.sleep(pause)
            pause = min(pause * 2, 1.0)

    def _expect(self, kind: str, status, answer, *ok: int) -> bool:
        if status in ok:
            return True
        if status == 409 and answer and answer.get("code") == "insufficient_stock":
            self.stats.refusals += 1
            return False
        self.stats.errors.append(f"{kind}: {status} {answer}")
        return False

    def _payments(self, cart: dict) -> list[dict]:
        total = Decimal(cart["total"]["amount"])
        if self.rng.random() < 1 / 3 and total > Decimal("1.00"):
            card = (total / 2).quantize(Decimal("0.01"))
            rest = total - card
            cash = rest.to_integral_value(rounding=ROUND_CEILING)
            return [
                {"method": "card", "amount": str(card), "card": TEST_CARD},
                {"method": "cash", "amount": str(max(cash, rest))},
            ]
        due = Decimal(cart["cash_due"]["amount"])
        return [{"method": "cash", "amount": str(due.to_integral_value(rounding=ROUND_CEILING))}]

    def run(self) -> None:
        try:
            self._sell()
        except Exception as error:  # reported by the caller, never swallowed
            self.stats.errors.append(f"till crashed: {error!r}")

    def _sell(self) -> None:
        register = self.till["register"]
        status, answer = self._call(
            "shift", "POST", "/api/v1/shifts/", {"register": register, "opening_float": "100.00"}
        )
        if status != 201 and not (answer and answer.get("code") == "shift_already_open"):
            self.stats.errors.append(f"open shift: {status} {answer}")
            return
        empty_carts = 0
        while (
            len(self.stats.sales) < self.max_sales
            and time.monotonic() < self.deadline
            and not self.stop_event.is_set()
            and empty_carts < 1
        ):
            started = time.perf_counter()
            status, cart = self._call("cart", "POST", "/api/v1/carts/", {"register": register})
            if not self._expect("cart", status, cart, 200, 201):
                return
            for _ in range(self.rng.randint(1, 8)):
                code = self.rng.choice(self.barcodes)
                status, answer = self._call(
                    "scan", "POST", f"/api/v1/carts/{cart['id']}/lines/", {"barcode": code}
                )
                if self._expect("scan", status, answer, 201):
                    cart = answer
            if not cart["lines"]:
                empty_carts += 1  # everything on the shelf is sold
                continue
            empty_carts = 0
            key = str(uuid.uuid4())
            body = {"idempotency_key": key, "payments": self._payments(cart)}
            status, sale = self._call(
                "checkout", "POST", f"/api/v1/carts/{cart['id']}/checkout/", body
            )
            if status in (200, 201):
                if status == 200:
                    self.stats.replays += 1
                self.stats.sale_ms.append((time.perf_counter() - started) * 1000)
                self.stats.sales.append(
                    {"key": key, "number": sale["number"], "total": sale["total"]["amount"]}
                )
                if self.on_sale:
                    self.on_sale()
            else:
                self._expect("checkout", status, sale, 201)
                if status == 409:  # stock ran out since the scan: start over
                    self._call("cart", "DELETE", f"/api/v1/carts/{cart['id']}/")


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def run_registers(
    port_of,
    seeded: dict,
    registers: int,
    *,
    duration: float,
    max_sales: int = 10**9,
    retry: bool = False,
    seed: int = 1,
    barcodes: list[str] | None = None,
    on_sale=None,
    during=None,
) -> dict:
    """`registers` tills selling at once for at most `duration` seconds (or `max_sales` each).

    `during(tills)` runs in the calling thread while they sell (e.g. to kill the server).
    Returns the tills' statistics merged.
    """
    stop = threading.Event()
    deadline = time.monotonic() + duration
    tills = [
        Till(
            port_of,
            seeded["tills"][n],
            barcodes or seeded["barcodes"],
            deadline=deadline,
            max_sales=max_sales,
            retry=retry,
            seed=seed * 1000 + n,
            stop=stop,
            on_sale=on_sale,
        )
        for n in range(registers)
    ]
    start = time.perf_counter()
    for till in tills:
        till.start()
    try:
        if during:
            during(tills)
    finally:
        for till in tills:
            till.join(timeout=duration + 90)
        stop.set()
    elapsed = time.perf_counter() - start
    merged = TillStats()
    for till in tills:
        merged.sales += till.stats.sales
        merged.sale_ms += till.stats.sale_ms
        merged.errors += till.stats.errors
        merged.failures += till.stats.failures
        merged.refusals += till.stats.refusals
        merged.replays += till.stats.replays
        for kind, samples in till.stats.latency_ms.items():
            merged.latency_ms.setdefault(kind, []).extend(samples)
    return {"stats": merged, "elapsed": elapsed, "alive": [t.name for t in tills if t.is_alive()]}


# --------------------------------------------------------------------------- in-process helpers


def _seed(
    registers: int = 4,
    products: int = 20,
    stock: int = 100_000,
    scarce: int = 0,
    scarce_stock: int = 0,
) -> dict:
    """`registers` tills, each with its own cashier and API token; `products` products with
    `stock` units each (prices 0.50–20.00), and `scarce` more with only `scarce_stock` units."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from djmoney.money import Money
    from wagtail.models import APIToken

    from catalog.models import Product
    from catalog.validators import with_check_digit
    from pos.models import Register
    from pos.roles import CASHIERS
    from tests import factories

    rng = random.Random(7)
    group = Group.objects.get(name=CASHIERS)
    tills = []
    for n in range(registers):
        register = Register.objects.create(name=f"Load till {n + 1:02d}")
        user = get_user_model().objects.create_user(f"load-cashier-{n + 1:02d}")
        user.set_unusable_password()
        user.save()
        user.groups.add(group)
        _, token = APIToken.create_token(user=user, name="load test")
        tills.append({"register": register.pk, "token": token, "user": user.pk})
    rate, category = factories.tax_rate(), factories.category()
    barcodes, scarce_barcodes = [], []
    for n in range(products + scarce):
        amount = Decimal(rng.randint(50, 2000)) / 100
        barcode = with_check_digit(f"{880000000000 + n:012d}")
        Product.objects.create(
            name=f"Load product {n + 1}",
            sku=f"LOAD-{n + 1:05d}",
            barcode=barcode,
            price=Money(amount, "USD"),
            tax_rate=rate,
            category=category,
            quantity_on_hand=stock if n < products else scarce_stock,
            low_stock_threshold=0,
        )
        (barcodes if n < products else scarce_barcodes).append(barcode)
    return {"tills": tills, "barcodes": barcodes, "scarce_barcodes": scarce_barcodes}


def _inspect() -> dict:
    """Figures and invariant violations of the whole database."""
    from django.db.models import Count, Sum

    from catalog.models import Product
    from pos.inventory import ledger_mismatches
    from pos.models import Cart, Payment, Sale, SaleLine, StockMovement

    sales = {
        s["pk"]: s
        for s in Sale.objects.values("pk", "number", "idempotency_key", "item_count", "total")
    }
    lines = {
        r["sale"]: r
        for r in SaleLine.objects.values("sale").annotate(
            n=Count("pk"), qty=Sum("quantity"), total=Sum("total")
        )
    }
    paid = {
        r["sale"]: r
        for r in Payment.objects.values("sale").annotate(n=Count("pk"), amount=Sum("amount"))
    }
    moved = {
        r["sale"]: r
        for r in StockMovement.objects.filter(sale__isnull=False)
        .values("sale")
        .annotate(n=Count("pk"), qty=Sum("quantity"))
    }
    incomplete = []
    for pk, sale in sales.items():
        line, pay, move = lines.get(pk), paid.get(pk), moved.get(pk)
        problems = []
        if not line or line["qty"] != sale["item_count"]:
            problems.append("lines")
        if not pay:
            problems.append("payments")
        if not move or -move["qty"] != sale["item_count"]:
            problems.append("movements")
        if problems:
            incomplete.append({"number": sale["number"], "missing": problems})
    total = sum((Decimal(str(s["total"])) for s in sales.values()), Decimal(0))
    stock = {
        p["sku"]: p["quantity_on_hand"] for p in Product.objects.values("sku", "quantity_on_hand")
    }
    return {
        "sales": len(sales),
        "numbers": sorted(s["number"] for s in sales.values()),
        "keys": sorted(str(s["idempotency_key"]) for s in sales.values()),
        "sales_total": str(total.quantize(Decimal("0.01"))),
        "sale_lines": SaleLine.objects.count(),
        "payments": Payment.objects.count(),
        "movements": StockMovement.objects.count(),
        "items_sold": -sum(m["qty"] for m in moved.values()),
        "incomplete_sales": incomplete,
        "checked_out_carts_without_sale": Cart.objects.filter(
            status=Cart.Status.CHECKED_OUT, sale__isnull=True
        ).count(),
        "negative_stock": sorted(sku for sku, qty in stock.items() if qty < 0),
        "stock": stock,
        "ledger_mismatches": [
            {k: v for k, v in row.items() if k != "name"} for row in ledger_mismatches()
        ],
    }


def _main(argv: list[str]) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pos_site.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    command, options = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    result = {"seed": _seed, "inspect": _inspect}[command](**options)
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
