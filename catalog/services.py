"""Business rules of the catalog: what a valid product is, shared by admin, import and API.

Every write to the catalog goes through here (or through `Product.full_clean()`, which calls
`product_validation_errors`), so the Wagtail admin, the CSV import and the API accept and refuse
exactly the same data with exactly the same messages.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import ProtectedError
from django.db.models.deletion import Collector, RestrictedError
from django.db.models.functions import Lower
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.text import slugify
from djmoney.money import Money
from wagtail.actions.create import CreateAction
from wagtail.actions.delete import DeleteAction
from wagtail.actions.edit import EditAction
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.models import ModelLogEntry, Revision

from catalog.models import Category, Product, ProductImport, TaxRate, sku_equals
from catalog.signals import products_imported
from catalog.validators import barcode_variants
from pos.pricing import currency_places
from pos_site.errors import ConflictError, ServiceError
from pos_site.spreadsheet import read_cell
from store.models import StoreSettings
from store.selectors import current_store_settings

# --------------------------------------------------------------------------- validation


def _places(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


_currency_places = functools.lru_cache(maxsize=32)(currency_places)  # Babel's data is fixed


def product_validation_errors(
    product: Product, *, store: StoreSettings | None = None, check_unique: bool = True
) -> dict[str, str]:
    """Every rule a product must keep, as {field: message}; empty when the product is valid.

    Field validators (lengths, barcode check digit) run in `full_clean()`; these are the
    rules that need the store settings or other rows. The CSV import passes `store` (read
    once) and `check_unique=False` (it checks SKUs against rows it has already loaded).
    """
    store = store or current_store_settings()
    errors: dict[str, str] = {}
    for name in ("price", "cost_price"):
        money = getattr(product, name)
        if money is None:
            continue
        label = "price" if name == "price" else "cost price"
        if money.amount < 0:
            errors[name] = f"The {label} cannot be negative."
        elif _places(money.amount) > _currency_places(store.currency):
            errors[name] = (
                f"The {label} has too many decimals for {store.currency} "
                f"(at most {_currency_places(store.currency)})."
            )
        elif str(money.currency) != store.currency:
            errors[name] = f"The {label} must be in the store currency, {store.currency}."
    if product.quantity_on_hand is not None and product.quantity_on_hand < 0:
        if not store.allow_negative_stock:
            errors["quantity_on_hand"] = (
                "Stock cannot be below zero (the store does not allow negative stock)."
            )
    if check_unique and product.sku:
        clash = Product.objects.filter(sku_equals(product.sku.strip()))
        if product.pk:
            clash = clash.exclude(pk=product.pk)
        if clash.exists():
            errors["sku"] = "Another product already has this SKU."
    if check_unique and product.barcode:
        # The same code in its other form (UPC-A 036000291452 = EAN-13 0036000291452): a scan
        # of either finds one product, so two products cannot share it. (The exact same
        # code is the unique field's own "Another product already has this barcode.")
        other_forms = barcode_variants(product.barcode)[1:]
        twin = Product.objects.filter(barcode__in=other_forms).exclude(pk=product.pk).first()
        if other_forms and twin is not None:
            errors["barcode"] = barcode_used_message(twin.name, twin.sku)
    return errors


def barcode_used_message(name: str, sku: str) -> str:
    return f"Barcode already used by {name} (SKU {sku})."


DESCRIPTION_FEATURES = ["bold", "italic", "link", "ul", "ol"]
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
BLOCK_KEY = re.compile(r' data-block-key="[^"]*"')


def same_rich_text(a: str, b: str) -> bool:
    """Equal apart from the editor's random block keys (`data-block-key="…"`)."""
    return BLOCK_KEY.sub("", a or "") == BLOCK_KEY.sub("", b or "")


def clean_rich_text(text: str) -> str:
    """Description text from outside the admin editor, as the editor itself would store it.

    Plain text becomes paragraphs; HTML goes through Wagtail's own editor converter, which
    keeps only the allowed features (bold, italic, links, lists) and drops everything else
    (scripts, styles, event handlers), so an import or API call cannot plant markup that the
    admin editor would refuse.
    """
    text = (text or "").strip()
    if not text:
        return ""
    if not HTML_TAG.search(text):
        return _paragraphs(text)
    converter = ContentstateConverter(DESCRIPTION_FEATURES)
    try:
        return converter.to_database_format(converter.from_database_format(text))
    except Exception:
        # The converter is built for the editor's own HTML and asserts on anything else
        # (`<img src=x>` without a closing slash: "Unmatched tags"). Keep the words only.
        return _paragraphs(strip_tags(text))


def _paragraphs(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{escape(p).replace(chr(10), '<br/>')}</p>" for p in paragraphs)


# --------------------------------------------------------------------------- single writes


def create_product(*, user, **values: Any) -> Product:
    """Validate and create a product, with a first revision and a "Created" history entry.

    Raises `django.core.exceptions.ValidationError` with the admin's own messages.
    """
    product = Product()
    _assign(product, values)
    product.stock_user = user  # the opening stock's movement says who entered it
    return CreateAction(product, user=user).execute(skip_permission_checks=True)


def update_product(product: Product, *, user, **values: Any) -> Product:
    """Change some fields of a product, validate, save, and record a revision and history."""
    _assign(product, values)
    return EditAction(product, user=user).execute(skip_permission_checks=True)


def _assign(product: Product, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name == "description":
            value = clean_rich_text(value)
        elif name == "barcode":
            value = (value or "").strip() or None
        elif name == "sku":
            value = (value or "").strip()
        setattr(product, name, value)


# Why a product cannot be deleted, by the model of the rows that protect it. (Its own stock
# movements do not: they go with it, `StockMovement.product` cascades.)
_BLOCKED_BECAUSE = (
    ("sale", "has been sold"),
    ("refund", "has been refunded"),
    ("cartline", "is in a cart at the register"),
)
ADMIN_DEACTIVATE_HINT = "Deactivate it instead (untick Active) to hide it from the register."
API_DEACTIVATE_HINT = (
    'Deactivate it instead with PATCH {"is_active": false} to hide it from the register.'
)


def delete_blocked_message(
    obj, error: ProtectedError | RestrictedError, *, hint: str = ADMIN_DEACTIVATE_HINT
) -> str:
    """Why `obj` cannot be deleted, in words a merchandiser can act on (`hint`: how to
    retire it instead, worded for the admin or the API)."""
    blocking = list(error.args[1]) if len(error.args) > 1 else []
    if isinstance(obj, TaxRate):
        count = sum(1 for o in blocking if isinstance(o, Product))
        return (
            f"“{obj}” is the tax rate of {count} product{'' if count == 1 else 's'}, so it "
            "cannot be deleted. Give them another tax rate first."
        )
    if not isinstance(obj, Product):
        return f"“{obj}” is still in use, so it cannot be deleted."
    blockers = sorted({_blocker_name(o) for o in blocking})
    reasons = [
        text for prefix, text in _BLOCKED_BECAUSE if any(b.startswith(prefix) for b in blockers)
    ]
    if not reasons:
        reasons = ["is still in use" + (f" ({', '.join(blockers)})" if blockers else "")]
    return (
        f"“{obj}” {' and '.join(dict.fromkeys(reasons))}, so it cannot be deleted: those records "
        f"must keep pointing at it. {hint}"
    )


def _blocker_name(row) -> str:
    """The model name of a protecting row; a line of a checked-out cart counts as a sale
    (the cart was paid: the product is not "in a cart at the register" any more)."""
    name = row._meta.model_name
    if name == "cartline" and getattr(getattr(row, "cart", None), "status", "") == "checked_out":
        return "sale (checked-out cart)"
    return name


def deletion_blocker(objects: Iterable) -> tuple[object, ProtectedError | RestrictedError] | None:
    """The first object among `objects` that other rows protect from deletion, and why.

    Runs Django's own deletion collector without deleting anything, so the admin can explain
    the refusal before it tries (the bulk delete action has no other place to do it).
    """
    objects = list(objects)
    if not objects:
        return None
    using = router.db_for_write(type(objects[0]))
    for obj in objects:
        try:
            Collector(using=using).collect([obj])
        except (ProtectedError, RestrictedError) as error:
            return obj, error
    return None


def delete_product(product: Product, *, user, hint: str = API_DEACTIVATE_HINT) -> None:
    """Delete a product, or raise `ConflictError` (409) if sales or carts still refer to it.

    Its own stock movements (opening stock, deliveries, counts) and low-stock alerts are
    deleted with it, in the same transaction (their foreign keys cascade); a product that
    was sold keeps everything, sale lines protect it.
    """
    try:
        DeleteAction(product, user=user).execute(skip_permission_checks=True)
    except (ProtectedError, RestrictedError) as error:
        raise ConflictError(
            delete_blocked_message(product, error, hint=hint), code="product_in_use"
        ) from None


def create_category(*, user, **values: Any) -> Category:
    """Validate and create a category (history: "Created")."""
    category = Category(**values)
    return CreateAction(category, user=user).execute(skip_permission_checks=True)


def update_category(category: Category, *, user, **values: Any) -> Category:
    for name, value in values.items():
        setattr(category, name, value)
    return EditAction(category, user=user).execute(skip_permission_checks=True)


def delete_category(category: Category, *, user) -> None:
    """Delete a category; its products and sub-categories stay, without a category."""
    try:
        DeleteAction(category, user=user).execute(skip_permission_checks=True)
    except (ProtectedError, RestrictedError) as error:
        raise ConflictError(delete_blocked_message(category, error), code="in_use") from None


# --------------------------------------------------------------------------- CSV import

CSV_COLUMNS = (
    "sku",
    "name",
    "barcode",
    "category",
    "price",
    "cost_price",
    "tax_rate",
    "quantity_on_hand",
    "low_stock_threshold",
    "is_active",
    "description",
)
MAX_IMPORT_BYTES = 5 * 1024 * 1024
BATCH_SIZE = 500
# Columns an empty cell clears; in the others an empty cell keeps the current value.
CLEARABLE = {"barcode", "category", "cost_price", "description"}
TRUE_WORDS = {"1", "true", "yes", "y", "on", "active", "x"}
FALSE_WORDS = {"0", "false", "no", "n", "off", "inactive"}
REQUIRED_FOR_NEW = ("name", "price", "tax_rate")
REQUIRED_MESSAGE = "This field is required."  # the admin form's words for a missing value
COLUMN_ALIASES = {"tax_rate_name": "tax_rate", "tax": "tax_rate", "active": "is_active"}
# Values compared to tell an update from an unchanged row.
COMPARED = (
    "name",
    "barcode",
    "category_id",
    "price",
    "cost_price",
    "tax_rate_id",
    "quantity_on_hand",
    "low_stock_threshold",
    "is_active",
    "description",
)


@dataclass(frozen=True)
class RowError:
    """One problem of one row: `row` is the spreadsheet row number (the header is row 1),
    `column` the CSV column it is about."""

    row: int
    sku: str
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import did, or would do (dry run)."""

    dry_run: bool
    filename: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Cells left out on purpose (stock on existing products without the permission): the
    # rest of the row is imported.
    warnings: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})


class _RowProblem(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def read_csv_text(file: IO | bytes | str) -> str:
    """The text of an uploaded CSV file, or a `ServiceError` saying what is wrong with it."""
    data = file if isinstance(file, (bytes, str)) else file.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_IMPORT_BYTES:
        raise ServiceError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_IMPORT_BYTES // 1024 // 1024} MB. Split it into smaller files.",
            code="file_too_large",
        )
    if data.startswith(b"PK\x03\x04"):
        raise ServiceError(
            "This is a spreadsheet workbook (.xlsx), not a CSV file. In your spreadsheet "
            "program choose File › Save As › “CSV UTF-8 (comma delimited)” and upload that.",
            code="not_csv",
        )
    if b"\x00" in data[:4096]:
        raise ServiceError(
            "This does not look like a CSV text file. Save the product list as CSV and "
            "upload that.",
            code="not_csv",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise ServiceError(
                "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.",
                code="bad_encoding",
            ) from None


def _reader(text: str) -> csv.reader:
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to a comma-decimal locale write ";" between columns.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if "\t" in first_line and delimiter not in first_line:
        delimiter = "\t"
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _header(raw: list[str]) -> list[str]:
    columns = []
    for cell in raw:
        name = re.sub(r"[\s\-]+", "_", cell.strip().lower())
        name = re.sub(r"\(.*\)$", "", name).strip("_")
        columns.append(COLUMN_ALIASES.get(name, name))
    unknown = [c for c in columns if c and c not in CSV_COLUMNS]
    if unknown:
        raise ServiceError(
            f"Unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}. "
            f"The columns are: {', '.join(CSV_COLUMNS)}.",
            code="bad_header",
        )
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise ServiceError(f"Column {duplicated[0]} appears twice.", code="bad_header")
    if "sku" not in columns:
        raise ServiceError(
            "The first row must name the columns, and one of them must be sku. "
            f"The columns are: {', '.join(CSV_COLUMNS)}.",
            code="bad_header",
        )
    return columns


def _amount(text: str, store: StoreSettings) -> Money:
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise _RowProblem("", f"Enter a number (not “{text}”), like 12.50.") from None
    if not amount.is_finite():
        raise _RowProblem("", f"Enter a number (not “{text}”), like 12.50.")
    return Money(amount, store.currency)


def _whole_number(text: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text.replace(" ", "")):
        raise _RowProblem("", f"Enter a whole number (not “{text}”).")
    return int(text.replace(" ", ""))


def _boolean(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _RowProblem("", f"Write true or false (not “{text}”).")


def _barcode(text: str) -> str | None:
    value = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+\d+", value):
        raise _RowProblem(
            "",
            f"The spreadsheet turned this barcode into a number ({value}). Format the barcode "
            "column as Text and export the file again.",
        )
    return value or None


class _Catalog:
    """Everything the import checks rows against, loaded in a handful of queries."""

    def __init__(self, skus: list[str], barcodes: list[str]):
        self.store = current_store_settings()
        self.categories: dict[str, Category] = {}
        for category in Category.objects.all():
            self.categories.setdefault(category.name.strip().lower(), category)
            self.categories.setdefault(category.slug.lower(), category)
        self.tax_rates = {rate.name.strip().lower(): rate for rate in TaxRate.objects.all()}
        self.by_sku: dict[str, Product] = {}
        self.barcode_owner: dict[str, tuple[int, str, str]] = {}  # barcode: (pk, name, sku)
        for chunk in _chunks(sorted({sku.lower() for sku in skus}), 900):
            # LOWER(sku) IN (...) is served by the unique index on LOWER(sku).
            for product in Product.objects.filter(In(Lower("sku"), chunk)):
                self.by_sku[product.sku.lower()] = product
        variants = {form for code in barcodes for form in barcode_variants(code)}
        for chunk in _chunks(sorted(variants), 900):
            for pk, barcode, name, sku in Product.objects.filter(barcode__in=chunk).values_list(
                "pk", "barcode", "name", "sku"
            ):
                self.barcode_owner[barcode] = (pk, name, sku)

    def barcode_clash(self, product: Product) -> str | None:
        """The message when another product has this barcode, or the same in its other form."""
        for index, form in enumerate(barcode_variants(product.barcode)):
            owner = self.barcode_owner.get(form)
            if owner is not None and owner[0] != product.pk:
                if index == 0:
                    return Product._meta.get_field("barcode").error_messages["unique"]
                return barcode_used_message(owner[1], owner[2])
        return None

    def tax_rate_names(self) -> str:
        return ", ".join(sorted(rate.name for rate in self.tax_rates.values())) or "(none yet)"


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _snapshot(product: Product) -> tuple:
    return tuple(getattr(product, name) for name in COMPARED)


def _apply_cell(product: Product, column: str, text: str, catalog: _Catalog, is_new: bool) -> None:
    """Set one field of `product` from one CSV cell (raises `_RowProblem` for bad input)."""
    text = text.strip()
    if not text:
        if column in CLEARABLE:
            setattr(product, column, "" if column == "description" else None)
        elif is_new and column in REQUIRED_FOR_NEW:
            raise _RowProblem(column, REQUIRED_MESSAGE)
        return
    if column == "name":
        product.name = text
    elif column == "barcode":
        product.barcode = _barcode(text)
    elif column == "category":
        category = catalog.categories.get(text.lower())
        if category is None:
            raise _RowProblem(
                column,
                f"There is no category “{text}”. Add it under Catalog › Categories first, "
                "or correct the name.",
            )
        product.category = category
    elif column in ("price", "cost_price"):
        setattr(product, column, _amount(text, catalog.store))
    elif column == "tax_rate":
        rate = catalog.tax_rates.get(text.lower())
        if rate is None:
            raise _RowProblem(
                column, f"There is no tax rate “{text}”: use one of {catalog.tax_rate_names()}."
            )
        product.tax_rate = rate
    elif column in ("quantity_on_hand", "low_stock_threshold"):
        setattr(product, column, _whole_number(text))
    elif column == "is_active":
        product.is_active = _boolean(text)
    elif column == "description":
        cleaned = clean_rich_text(text)
        if not same_rich_text(cleaned, product.description):
            product.description = cleaned


# Fields checked by clean_fields(); the rest are resolved from loaded rows (no query per row).
_NOT_FIELD_CHECKED = ["category", "tax_rate", "image", "latest_revision", "slug", "sku"]


def import_products_csv(
    file: IO | bytes | str, *, dry_run: bool, user, filename: str = ""
) -> ImportReport:
    """Create or update products from a CSV file, matching existing products by SKU
    (case-insensitive).

    With `dry_run=True` nothing is written: the report says how many products would be created
    and updated and lists every problem by row number. Otherwise the import is all or nothing:
    if any row has a problem, nothing is written (the report lists the problems); if none has,
    every row is written in one transaction. Each row is checked with the same rules and
    messages as the admin form (`clean_fields()` and `product_validation_errors`), against
    products, categories and tax rates loaded up front, and written with bulk queries, so a
    5,000-row file takes seconds. Each created or changed product gets a revision and a
    history entry ("Imported from CSV").

    File-level problems (too big, not CSV, unknown columns) raise `ServiceError`.
    """
    text = read_csv_text(file)
    rows = list(_reader(text))
    report = ImportReport(dry_run=dry_run, filename=filename)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ServiceError("The file is empty.", code="empty_file")
    columns = _header(rows[0])
    report.columns = [c for c in columns if c]
    records = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells = [read_cell(cell) for cell in cells] + [""] * (len(columns) - len(cells))
        records.append((number, dict(zip(columns, cells, strict=False))))
    report.rows = len(records)
    if not records:
        raise ServiceError("The file has a header row but no products.", code="empty_file")

    catalog = _Catalog(
        [r["sku"].strip() for _, r in records if r["sku"].strip()],
        [r.get("barcode", "").strip() for _, r in records if r.get("barcode", "").strip()],
    )
    new: list[Product] = []
    changed: list[Product] = []
    seen_sku: dict[str, int] = {}
    seen_barcode: dict[str, int] = {}
    may_count = can_count_stock(user)

    def problem(number: int, sku: str, column: str, message: str) -> None:
        report.errors.append(RowError(number, sku, column, message))

    for number, record in records:
        sku = record["sku"].strip()
        if not sku:
            problem(number, "", "sku", "A SKU is required.")
            continue
        if len(sku) > Product._meta.get_field("sku").max_length:
            problem(
                number,
                sku,
                "sku",
                f"Ensure this value has at most 64 characters (it has {len(sku)}).",
            )
            continue
        key = sku.lower()
        if key in seen_sku:
            problem(number, sku, "sku", f"SKU {sku} is also on row {seen_sku[key]}.")
            continue
        seen_sku[key] = number
        product = catalog.by_sku.get(key)
        is_new = product is None
        if is_new:
            product = Product(sku=sku, price=None, tax_rate=None)
        before = None if is_new else _snapshot(product)
        failed: set[str] = set()
        for column in report.columns:
            if column == "sku":
                continue
            try:
                _apply_cell(product, column, record.get(column, ""), catalog, is_new)
            except _RowProblem as bad:
                problem(number, sku, column, bad.message)
                failed.add(column)
        if is_new:
            for column in REQUIRED_FOR_NEW:
                if column not in report.columns:
                    problem(number, sku, column, REQUIRED_MESSAGE)
                    failed.add(column)
        elif product.quantity_on_hand != product._stored_quantity and not may_count:
            report.warnings.append(
                RowError(
                    number,
                    sku,
                    "quantity_on_hand",
                    STOCK_NOT_IMPORTED.format(
                        typed=product.quantity_on_hand, stock=product._stored_quantity
                    ),
                )
            )
            product.quantity_on_hand = product._stored_quantity
        exclude = [*_NOT_FIELD_CHECKED, *failed, *(["price"] if product.price is None else [])]
        messages: dict[str, list[str]] = {}
        try:
            product.clean_fields(exclude=exclude)
        except ValidationError as error:
            messages = error.message_dict
        rules = product_validation_errors(product, store=catalog.store, check_unique=False)
        for name, message in rules.items():
            if name not in failed:
                messages.setdefault(name, []).append(message)
        if product.barcode and "barcode" not in messages and "barcode" not in failed:
            clash = catalog.barcode_clash(product)
            same = [seen_barcode[f] for f in barcode_variants(product.barcode) if f in seen_barcode]
            if same:
                messages["barcode"] = [f"Barcode {product.barcode} is also on row {same[0]}."]
            elif clash:
                messages["barcode"] = [clash]
            else:
                seen_barcode[product.barcode] = number
        for name, texts in messages.items():
            for message in texts:
                problem(number, sku, name, message)
        if failed or messages:
            continue
        if is_new:
            new.append(product)
        elif _snapshot(product) != before:
            changed.append(product)
        else:
            report.unchanged += 1

    report.created = len(new)
    report.updated = len(changed)
    if dry_run or report.errors:
        return report
    try:
        _write(new, changed, report, user=user)
    except IntegrityError:
        # Someone saved a product with one of these SKUs or barcodes since the file was read.
        raise ConflictError(
            "The catalog changed while the file was being imported (a SKU or barcode in the "
            "file was just taken). Nothing was imported: upload the file again to check it.",
            code="import_conflict",
        ) from None
    report.applied = True
    return report


STOCK_NOT_IMPORTED = (
    "Stock not changed ({typed} in the file, {stock} in stock): changing the stock of an "
    "existing product needs the permission to adjust stock. Ask a manager to count it "
    "(Inventory › Stock count); the rest of the row is imported."
)


def can_count_stock(user) -> bool:
    """May `user` set existing products' stock from a file (recorded as stock counts)?"""
    return user is not None and user.has_perm("pos.add_stockmovement")


def _write(new: list[Product], changed: list[Product], report: ImportReport, *, user) -> None:
    fields = {
        "name": ["name"],
        "barcode": ["barcode"],
        "category": ["category"],
        "price": ["price", "price_currency"],
        "cost_price": ["cost_price", "cost_price_currency"],
        "tax_rate": ["tax_rate"],
        # quantity_on_hand of existing products: _count_stock() below.
        "low_stock_threshold": ["low_stock_threshold"],
        "is_active": ["is_active"],
        "description": ["description"],
    }
    update_fields = [f for column in report.columns for f in fields.get(column, [])]
    now = timezone.now()
    with transaction.atomic():
        if new:
            taken = set(Product.objects.values_list("slug", flat=True))
            for product in new:
                product.slug = _free_slug(product, taken)
                taken.add(product.slug)
            _insert_rows(Product, [_product_row(product) for product in new])
            ids: dict[str, int] = {}
            for chunk in _chunks([product.sku.lower() for product in new], 900):
                ids.update(
                    (sku.lower(), pk)
                    for sku, pk in Product.objects.filter(In(Lower("sku"), chunk)).values_list(
                        "sku", "pk"
                    )
                )
            for product in new:
                product.pk = ids[product.sku.lower()]
                product._state.adding = False
        if changed:
            for product in changed:
                product.updated_at = now
            _update_rows(changed, [*update_fields, "updated_at"])
        stock_changes = _count_stock(
            [p for p in changed if p.quantity_on_hand != p._stored_quantity]
        )
        _record_history([*new, *changed], len(new), user=user, filename=report.filename, now=now)
        for product in [*new, *changed]:
            product._stored_quantity = product.quantity_on_hand
        products_imported.send(sender=Product, created=new, stock_changes=stock_changes, user=user)


def _count_stock(counted: list[Product]) -> list[tuple[Product, int, int]]:
    """Set these products' stock to the figure in the file, as a stock count would: the rows
    are locked and read again (a sale may have moved them since the file was checked), so
    the movements the inventory records (`products_imported`) are each the difference
    between the figure on hand and the counted one. Returns (product, before, after)."""
    if not counted:
        return []
    current: dict[int, int] = {}
    for chunk in _chunks(sorted(p.pk for p in counted), 900):
        # Row locks on PostgreSQL, in id order; SQLite's IMMEDIATE transaction holds the
        # database write lock already.
        current.update(
            Product.objects.select_for_update()
            .filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", "quantity_on_hand")
        )
    changes = [(p, current[p.pk], p.quantity_on_hand) for p in counted]
    changes = [change for change in changes if change[1] != change[2]]
    _update_rows([p for p, _before, _after in changes], ["quantity_on_hand"])
    return changes


def _update_rows(products: list[Product], names: list[str]) -> None:
    """`UPDATE … SET <fields> WHERE id = …` for each product, sent with one `executemany`.

    `QuerySet.bulk_update` writes one `CASE WHEN id = … THEN …` per field and row, which the
    database evaluates row by row against every WHEN: it took most of a 5,000-row import.
    The values are prepared by the fields themselves, as `save()` would.
    """
    connection = connections[router.db_for_write(Product)]
    fields = [Product._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(Product._meta.db_table)} SET {assignments} WHERE id = %s"  # noqa: S608  # nosec B608
    rows = [
        [field.get_db_prep_save(field.pre_save(product, False), connection) for field in fields]
        + [product.pk]
        for product in products
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE * 4):
            cursor.executemany(sql, rows[start : start + BATCH_SIZE * 4])


def _free_slug(product: Product, taken: set[str]) -> str:
    base = slugify(product.name)[:200] or "product"
    for slug in (base, f"{base}-{slugify(product.sku)[:15]}"):
        if slug not in taken:
            return slug
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _record_history(products: list[Product], created: int, *, user, filename: str, now) -> None:
    """A revision and an "Imported from CSV" history entry per product, written in bulk."""
    if not products:
        return
    content_type = ContentType.objects.get_for_model(Product, for_concrete_model=False)
    base_content_type = Product.get_base_content_type()
    user_id = user.pk if user is not None else None
    _insert_rows(
        Revision,
        [
            {
                "content_type_id": content_type.pk,
                "base_content_type_id": base_content_type.pk,
                "object_id": str(product.pk),
                "user_id": user_id,
                "content": product.serializable_data(),
                "object_str": str(product),
                "created_at": now,
            }
            for product in products
        ],
    )
    revision_ids: dict[str, int] = {}
    for chunk in _chunks([str(product.pk) for product in products], 900):
        revision_ids.update(
            Revision.objects.filter(
                content_type=content_type, object_id__in=chunk, created_at=now
            ).values_list("object_id", "pk")
        )
    for product in products:
        product.latest_revision_id = revision_ids[str(product.pk)]
    _update_rows(products, ["latest_revision"])
    _insert_rows(
        ModelLogEntry,
        [
            {
                "content_type_id": content_type.pk,
                "object_id": str(product.pk),
                "label": str(product),
                "action": "catalog.import",
                "data": {"file": filename, "created": index < created},
                "timestamp": now,
                "user_id": user_id,
                "revision_id": product.latest_revision_id,
                "content_changed": True,
            }
            for index, product in enumerate(products)
        ],
    )


def _insert_rows(model, rows: list[dict[str, Any]]) -> None:
    """`INSERT` rows (dicts of attribute names; the rest get their defaults) with one
    `executemany`; no primary keys come back.

    Values are prepared by the model's fields (`get_db_prep_save`), as `save()` does;
    `bulk_create` does the same but compiles its SQL object by object, which made it the
    slowest part of a 5,000-row import.
    """
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # model names  # noqa: S608  # nosec B608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    values = [
        [f.get_db_prep_save(row.get(f.attname, defaults[f.attname]), connection) for f in fields]
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(values), BATCH_SIZE * 4):
            cursor.executemany(sql, values[start : start + BATCH_SIZE * 4])


def _product_row(product: Product) -> dict[str, Any]:
    """A new product's column values, as `save()` would prepare them (timestamps included)."""
    return {f.attname: f.pre_save(product, True) for f in Product._meta.concrete_fields}


def save_pending_import(file: IO | bytes | str, *, user, filename: str) -> ProductImport:
    """Keep an uploaded file between the dry-run preview and the confirmation."""
    text = read_csv_text(file)
    stale = timezone.now() - timedelta(days=1)
    ProductImport.objects.filter(applied_at__isnull=True, created_at__lt=stale).delete()
    return ProductImport.objects.create(user=user, filename=filename[:255], content=text)


def confirm_import(pending: ProductImport, *, user) -> ImportReport:
    """Apply a previewed file. It is checked again: the catalog may have changed meanwhile."""
    if pending.applied_at is not None:
        raise ConflictError("This file has already been imported.", code="already_imported")
    report = import_products_csv(
        pending.content, dry_run=False, user=user, filename=pending.filename
    )
    if report.applied:
        pending.applied_at = timezone.now()
        pending.created_count = report.created
        pending.updated_count = report.updated
        pending.save(update_fields=["applied_at", "created_count", "updated_count"])
    return report
