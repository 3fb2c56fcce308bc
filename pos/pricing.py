"""Every money rule of the point of sale, in one place.

Rounding, discounts, tax and tenders are decided here and nowhere else, so the cart, the checkout,
the receipts and the reports can never disagree about a cent. The module is pure Python (``Decimal``
plus Babel's currency data): no Django, no database and no ``float``, which keeps it fast to test
exhaustively with Hypothesis.

Internally every amount is an ``int`` of minor units (cents, fils, yen) and every rate a
``Fraction``, so intermediate results are exact and independent of the caller's ``decimal`` context;
rounding happens only where a rule below says so, always half-up (ties away from zero), never
half-even. Every amount handed back is a ``Decimal`` quantized to the currency's minor unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from functools import lru_cache

from babel.numbers import get_currency_precision, is_currency

__all__ = [
    "MAX_QUANTITY",
    "TENDER_METHODS",
    "AppliedTender",
    "CartDiscount",
    "LineInput",
    "PricedCart",
    "PricedLine",
    "PricingError",
    "PricingRules",
    "Settlement",
    "TaxBand",
    "TenderInput",
    "cash_due",
    "currency_places",
    "price_cart",
    "refund_share",
    "round_money",
    "round_to_increment",
    "settle_tenders",
]

MAX_QUANTITY = 9999
TENDER_METHODS = ("cash", "card", "other")

# A sanity ceiling on any single amount: far beyond a real sale in any currency, and it keeps a
# mistyped "1E+999999" from turning into a billion-digit integer.
_MAX_AMOUNT = Decimal(10) ** 15
# Rates and percentages with more decimals than this are typing mistakes, and could not be printed
# on a receipt anyway.
_MAX_RATE_PLACES = 6
_HUNDRED = Fraction(100)
_TENDER_LABELS = {"cash": "Cash", "card": "Card", "other": "Other payment"}


class PricingError(ValueError):
    """Bad pricing input; ``str(error)`` is a plain-English message fit to show a cashier.

    A ``ValueError`` so generic handlers treat it as bad input. ``code`` is a short stable string
    (e.g. ``"discount_too_large"``) for callers that branch on the kind of error or map it to a form
    field; ``key`` is the ``LineInput.key`` of the offending line, when there is one, so the UI can
    put the message next to that line.
    """

    def __init__(self, message: str, code: str, key: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.key = key


# --------------------------------------------------------------------------- rounding primitives


def currency_places(currency: str) -> int:
    """Number of decimals of the currency's minor unit (USD 2, JPY 0, BHD 3), from Babel's data.

    Raises ``PricingError`` for a code Babel does not know, rather than silently assuming 2 decimals
    (Babel's own fallback), because a typo in the store currency must not go unnoticed.
    """
    if not isinstance(currency, str):
        raise PricingError(f"Unknown currency code {currency!r}.", code="invalid_currency")
    places = _known_currency_places(currency)
    if places is None:
        raise PricingError(f"Unknown currency code {currency!r}.", code="invalid_currency")
    return places


@lru_cache(maxsize=64)
def _known_currency_places(currency: str) -> int | None:
    """Babel's lookup, cached: it walks locale data and ran on every amount of every response."""
    return get_currency_precision(currency) if is_currency(currency) else None


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` to the currency's minor unit, half-up (0.125 -> 0.13, 2.5 JPY -> 3).

    Half-up, not the banker's half-even that ``Decimal`` and ``Money.round()`` default to, because
    that is what customers and tax offices expect. Ties round away from zero for negative amounts
    too, so a refund rounds exactly like the sale it mirrors.
    """
    value = _finite_decimal(amount, "Amount")
    return _quantize(value, currency_places(currency))


def round_to_increment(amount: Decimal, increment: Decimal) -> Decimal:
    """Round ``amount`` half-up to a multiple of ``increment`` (e.g. 10.02 -> 10.00 at 0.05).

    Used for cash rounding where the smallest coin is larger than the minor unit. The result keeps
    the increment's exponent (a multiple of 0.05 comes back with two decimals).
    """
    value = _finite_decimal(amount, "Amount")
    step = _finite_decimal(increment, "Rounding increment")
    if step <= 0:
        raise PricingError(
            f"Rounding increment must be more than zero (got {step}).", code="invalid_cash_rounding"
        )
    multiple = _half_up(Fraction(value) / Fraction(step))
    _sign, digits, exponent = step.as_tuple()
    coefficient = int("".join(map(str, digits)))
    return Decimal(f"{multiple * coefficient}E{exponent}")


# --------------------------------------------------------------------------- inputs and results


@dataclass(frozen=True)
class PricingRules:
    """The store's money settings, validated on creation so a bad setting fails loudly and early."""

    currency: str = "USD"
    prices_include_tax: bool = False
    # False = tax is computed once per rate band on the whole sale, then shared out to the lines.
    tax_per_line: bool = True
    # Smallest cash coin, e.g. Decimal("0.05"); applies to the cash part of a payment only.
    cash_rounding: Decimal | None = None

    def __post_init__(self) -> None:
        places = currency_places(self.currency)
        if not isinstance(self.prices_include_tax, bool) or not isinstance(self.tax_per_line, bool):
            raise TypeError("prices_include_tax and tax_per_line must be booleans")
        if self.cash_rounding is not None:
            step = _finite_decimal(self.cash_rounding, "Cash rounding", "invalid_cash_rounding")
            if step <= 0 or step >= _MAX_AMOUNT or _decimal_places(step) > places:
                raise PricingError(
                    f"Cash rounding must be a positive multiple of the {self.currency} minor unit "
                    f"(got {step}).",
                    code="invalid_cash_rounding",
                )


@dataclass(frozen=True)
class LineInput:
    """One cart line as the caller knows it, before any rule is applied."""

    key: object  # caller's id for the line (e.g. a CartLine pk), returned untouched
    unit_price: Decimal  # shelf price per unit, tax-inclusive or not according to the rules
    quantity: int
    tax_rate: Decimal  # percent, e.g. Decimal("8.25")
    discount: Decimal = Decimal(0)  # line discount as money, not percent


@dataclass(frozen=True)
class CartDiscount:
    """A discount on the whole cart: ``kind`` is ``"amount"`` (money) or ``"percent"``."""

    kind: str
    value: Decimal


@dataclass(frozen=True)
class PricedLine:
    """A line after every rule: all amounts quantized to the minor unit."""

    key: object
    unit_price: Decimal
    quantity: int
    tax_rate: Decimal
    gross: Decimal  # unit_price * quantity
    discount: Decimal  # the line's own discount
    cart_discount: Decimal  # this line's share of the cart discount
    # gross - discount - cart_discount: what the customer pays for the line when prices include
    # tax, or the pre-tax amount when they don't.
    total: Decimal
    # The line's tax (per-line mode) or its share of its band's tax (per-sale mode); in both modes
    # the line taxes add up exactly to the band tax.
    tax: Decimal


@dataclass(frozen=True)
class TaxBand:
    """Tax of every line sharing one rate: what a receipt's tax breakdown prints."""

    rate: Decimal
    taxable: Decimal  # net base the tax is on (prices without tax)
    tax: Decimal


@dataclass(frozen=True)
class PricedCart:
    """A fully priced cart; ``total`` is the exact amount payable before any cash rounding."""

    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Decimal  # sum of line gross amounts
    line_discounts: Decimal
    cart_discount: Decimal
    discount_total: Decimal  # line_discounts + cart_discount
    tax_bands: tuple[TaxBand, ...]  # sorted by rate, only the rates present in the cart
    tax_total: Decimal
    total: Decimal
    prices_include_tax: bool


@dataclass(frozen=True)
class TenderInput:
    """A payment as entered at the register: ``method`` is ``"cash"``, ``"card"`` or ``"other"``."""

    method: str
    amount: Decimal


@dataclass(frozen=True)
class AppliedTender:
    """A payment after settlement: ``applied`` counts toward the sale, ``change`` goes back."""

    method: str
    tendered: Decimal  # what was handed over
    applied: Decimal
    change: Decimal  # cash only; always zero for card and other tenders


@dataclass(frozen=True)
class Settlement:
    """How a total was paid.

    Invariant: ``amount_paid == due + cash_rounding == sum(t.applied for t in tenders)``.
    """

    due: Decimal  # the PricedCart total
    cash_rounding: Decimal  # signed adjustment from rounding the cash part; zero without cash
    amount_paid: Decimal
    change: Decimal
    tenders: tuple[AppliedTender, ...]


# --------------------------------------------------------------------------- pricing


def price_cart(
    lines: Sequence[LineInput],
    rules: PricingRules,
    cart_discount: CartDiscount | None = None,
) -> PricedCart:
    """Price a cart: line discounts, the cart discount, tax and the total payable.

    Order of the rules, and why:

    1. ``gross = unit_price * quantity`` exactly; the line discount comes off it.
    2. A percent cart discount becomes money once, rounded half-up on the cart's value after line
       discounts. The cart discount is then shared out to the lines in proportion to their value
       (largest remainder, ties to the earlier line), so the shares add up to it exactly and a
       refund of one line can give back that line's true share.
    3. Tax per line (each line rounded) or per sale (each rate band rounded once, then shared to its
       lines the same way), extracted from the price when prices include tax.

    So no cent appears or disappears: with tax-exclusive prices ``total == sum(line totals) +
    tax_total``; with tax-inclusive prices ``total == sum(line totals)``, which is what the shelf
    labels add up to after discounts.
    """
    if not isinstance(rules, PricingRules):
        raise TypeError("rules must be a PricingRules")
    currency = rules.currency
    places = currency_places(currency)

    checked = [_check_line(line, places, currency) for line in lines]
    grosses = [price * line.quantity for line, price, _rate, _disc in checked]
    line_discounts = []
    for (line, _price, _rate, disc), gross in zip(checked, grosses, strict=True):
        if disc > gross:
            raise PricingError(
                f"Discount {_money(disc, places)} is more than the line value "
                f"{_money(gross, places)}.",
                code="discount_too_large",
                key=line.key,
            )
        line_discounts.append(disc)
    after_line = [gross - disc for gross, disc in zip(grosses, line_discounts, strict=True)]

    cart_off = _cart_discount_units(cart_discount, sum(after_line), places, currency)
    shares = _allocate(cart_off, after_line)
    totals = [value - share for value, share in zip(after_line, shares, strict=True)]

    line_taxes = [0] * len(checked)
    bands: dict[Decimal, list[int]] = {}
    for index, (line, _price, _rate, _disc) in enumerate(checked):
        bands.setdefault(Decimal(line.tax_rate), []).append(index)

    tax_bands = []
    for rate_key in sorted(bands):
        members = bands[rate_key]
        rate = checked[members[0]][2]
        # Inclusive prices already contain the tax: extract it as rate/(100+rate) of the price.
        factor = rate / (_HUNDRED + rate) if rules.prices_include_tax else rate / _HUNDRED
        band_total = sum(totals[i] for i in members)
        if rules.tax_per_line:
            for i in members:
                line_taxes[i] = _half_up(totals[i] * factor)
            band_tax = sum(line_taxes[i] for i in members)
        else:
            band_tax = _half_up(band_total * factor)
            for i, share in zip(
                members, _allocate(band_tax, [totals[i] for i in members]), strict=True
            ):
                line_taxes[i] = share
        taxable = band_total - band_tax if rules.prices_include_tax else band_total
        tax_bands.append(
            TaxBand(
                rate=Decimal(checked[members[0]][0].tax_rate),
                taxable=_money(taxable, places),
                tax=_money(band_tax, places),
            )
        )

    tax_total = sum(line_taxes)
    total = sum(totals) if rules.prices_include_tax else sum(totals) + tax_total
    priced_lines = tuple(
        PricedLine(
            key=line.key,
            unit_price=_money(price, places),
            quantity=line.quantity,
            tax_rate=Decimal(line.tax_rate),
            gross=_money(gross, places),
            discount=_money(disc, places),
            cart_discount=_money(share, places),
            total=_money(line_total, places),
            tax=_money(tax, places),
        )
        for (line, price, _rate, _d), gross, disc, share, line_total, tax in zip(
            checked, grosses, line_discounts, shares, totals, line_taxes, strict=True
        )
    )
    return PricedCart(
        currency=currency,
        lines=priced_lines,
        subtotal=_money(sum(grosses), places),
        line_discounts=_money(sum(line_discounts), places),
        cart_discount=_money(cart_off, places),
        discount_total=_money(sum(line_discounts) + cart_off, places),
        tax_bands=tuple(tax_bands),
        tax_total=_money(tax_total, places),
        total=_money(total, places),
        prices_include_tax=rules.prices_include_tax,
    )


def _check_line(
    line: LineInput, places: int, currency: str
) -> tuple[LineInput, int, Fraction, int]:
    """Validate one line; return it with its unit price and discount in minor units and its rate."""
    if not isinstance(line, LineInput):
        raise TypeError("lines must be LineInput instances")
    key = line.key
    quantity = line.quantity
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not 1 <= quantity <= MAX_QUANTITY
    ):
        raise PricingError(
            f"Quantity must be a whole number from 1 to {MAX_QUANTITY} (got {quantity}).",
            code="invalid_quantity",
            key=key,
        )
    price = _amount_units(line.unit_price, places, currency, "Price", "invalid_price", key)
    rate = _rate(line.tax_rate, "Tax rate", "invalid_tax_rate", key)
    discount = _amount_units(line.discount, places, currency, "Discount", "invalid_discount", key)
    return line, price, rate, discount


def _cart_discount_units(
    discount: CartDiscount | None, base: int, places: int, currency: str
) -> int:
    """The cart discount in minor units, checked against the cart value after line discounts."""
    if discount is None:
        return 0
    if not isinstance(discount, CartDiscount):
        raise TypeError("cart_discount must be a CartDiscount or None")
    if discount.kind == "percent":
        percent = _rate(discount.value, "Cart discount", "invalid_discount", None)
        return _half_up(base * percent / _HUNDRED)
    if discount.kind == "amount":
        amount = _amount_units(
            discount.value, places, currency, "Discount", "invalid_discount", None
        )
        if amount > base:
            raise PricingError(
                f"Discount {_money(amount, places)} is more than the cart value "
                f"{_money(base, places)}.",
                code="discount_too_large",
            )
        return amount
    raise PricingError(
        f"Cart discount must be an amount or a percent (got {discount.kind!r}).",
        code="invalid_discount",
    )


def _allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """Split ``amount`` minor units in proportion to ``weights`` by the largest remainder method.

    Each share is first rounded down; the units left over go one by one to the shares with the
    largest remainders, ties to the earliest. Deterministic, the shares add up exactly to
    ``amount``, and when ``amount <= sum(weights)`` no share exceeds its weight.
    """
    weight_total = sum(weights)
    if amount == 0 or weight_total == 0:
        if amount:
            raise ValueError("cannot allocate a non-zero amount over zero weights")
        return [0] * len(weights)
    shares = []
    remainders = []
    for weight in weights:
        share, remainder = divmod(amount * weight, weight_total)
        shares.append(share)
        remainders.append(remainder)
    leftover = amount - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:leftover]:
        shares[index] += 1
    return shares


# --------------------------------------------------------------------------- tenders


def cash_due(amount: Decimal, rules: PricingRules) -> Decimal:
    """What to ask for in cash: ``amount`` rounded half-up to the store's cash increment, if any.

    Without cash rounding the amount comes back unchanged (quantized to the minor unit).
    """
    places = currency_places(rules.currency)
    value = _finite_decimal(amount, "Amount")
    if rules.cash_rounding is None:
        return _quantize(value, places)
    return _quantize(round_to_increment(value, rules.cash_rounding), places)


def settle_tenders(
    total: Decimal, tenders: Sequence[TenderInput], rules: PricingRules
) -> Settlement:
    """Apply the payments to ``total`` and work out cash rounding and change.

    Card and other tenders are applied first, in order, and may never exceed what is due (they
    cannot give change). Whatever they leave is due in cash; cash rounding applies to that
    remainder only, so a card payment is never rounded. Several cash tenders are applied in order;
    only the last may be more than is still due, and it carries the change. A cash tender that
    arrives when earlier cash already covers the sale is refused rather than silently turned into
    change.

    A zero total with no tenders settles to nothing (a fully discounted sale); otherwise at least
    one tender is required.
    """
    if not isinstance(rules, PricingRules):
        raise TypeError("rules must be a PricingRules")
    currency = rules.currency
    places = currency_places(currency)
    due = _amount_units(total, places, currency, "Total", "invalid_total", None)

    checked: list[tuple[str, int]] = []
    for tender in tenders:
        if not isinstance(tender, TenderInput):
            raise TypeError("tenders must be TenderInput instances")
        if tender.method not in TENDER_METHODS:
            raise PricingError(
                f"Unknown payment method {tender.method!r}; use cash, card or other.",
                code="invalid_tender_method",
            )
        amount = _amount_units(
            tender.amount, places, currency, "Payment amount", "invalid_tender_amount", None
        )
        if amount <= 0:
            raise PricingError(
                f"Payment amount must be more than zero (got {_money(amount, places)}).",
                code="invalid_tender_amount",
            )
        checked.append((tender.method, amount))
    if not checked and due != 0:
        raise PricingError("Add at least one payment.", code="no_tenders")

    remaining = due
    for method, amount in checked:
        if method != "cash":
            if amount > remaining:
                raise PricingError(
                    f"{_TENDER_LABELS[method]} amount {_money(amount, places)} is more than the "
                    f"{_money(remaining, places)} due.",
                    code="card_exceeds_due",
                )
            remaining -= amount
    non_cash_paid = due - remaining

    cash_amounts = [amount for method, amount in checked if method == "cash"]
    if not cash_amounts:
        if remaining:
            raise PricingError(
                f"Payments of {_money(non_cash_paid, places)} do not cover the "
                f"{_money(due, places)} due: {_money(remaining, places)} still due.",
                code="tenders_short",
            )
        cash_to_collect = 0
    else:
        if remaining == 0:
            raise PricingError(
                f"Nothing left to pay in cash: the other payments already cover the "
                f"{_money(due, places)} due.",
                code="nothing_due_in_cash",
            )
        cash_to_collect = _units(cash_due(_money(remaining, places), rules), places)
        cash_given = sum(cash_amounts)
        if cash_given < cash_to_collect:
            raise PricingError(
                f"Cash {_money(cash_given, places)} does not cover the "
                f"{_money(cash_to_collect, places)} due in cash: "
                f"{_money(cash_to_collect - cash_given, places)} still due.",
                code="tenders_short",
            )
    rounding = cash_to_collect - remaining if cash_amounts else 0

    applied_tenders = []
    paid = change_total = 0
    cash_left = cash_to_collect
    cash_seen = False
    for method, amount in checked:
        if method != "cash":
            applied, change = amount, 0
        else:
            if cash_seen and cash_left == 0:
                raise PricingError(
                    f"Cash {_money(amount, places)} is not needed: earlier cash already covers "
                    f"the {_money(cash_to_collect, places)} due in cash.",
                    code="tender_not_needed",
                )
            cash_seen = True
            applied = min(amount, cash_left)
            change = amount - applied
            cash_left -= applied
        paid += applied
        change_total += change
        applied_tenders.append(
            AppliedTender(
                method=method,
                tendered=_money(amount, places),
                applied=_money(applied, places),
                change=_money(change, places),
            )
        )
    return Settlement(
        due=_money(due, places),
        cash_rounding=_money(rounding, places),
        amount_paid=_money(paid, places),
        change=_money(change_total, places),
        tenders=tuple(applied_tenders),
    )


# --------------------------------------------------------------------------- helpers


def _finite_decimal(
    value: object, what: str, code: str = "invalid_amount", key: object = None
) -> Decimal:
    """Accept a ``Decimal`` (or an ``int``); refuse ``float`` outright, it cannot hold 0.10."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    decimal = Decimal(value)
    if not decimal.is_finite():
        raise PricingError(f"{what} must be a number (got {decimal}).", code=code, key=key)
    return decimal


def _decimal_places(value: Decimal) -> int:
    """Decimals the value really needs (10.500 needs 1), read off its digits, so it is exact."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN and infinities are refused before this point
        raise ValueError(f"{value} is not a finite number")
    if exponent >= 0 or not any(digits):
        return 0
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing_zeros))


def _quantize(value: Decimal, places: int) -> Decimal:
    """Half-up quantize with a context wide enough that it never rounds anything else."""
    precision = max(value.adjusted(), 0) + places + 2
    exponent, context = _quantize_tools(precision, places)
    return value.quantize(exponent, context=context)


@lru_cache(maxsize=256)
def _quantize_tools(precision: int, places: int) -> tuple[Decimal, Context]:
    """Built once per size: creating a Context per amount was a visible cost in every response.
    Sharing one is safe: the flags an operation sets on it never change a result."""
    context = Context(prec=precision, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN)
    return Decimal(f"1E-{places}"), context


def _amount_units(
    value: object, places: int, currency: str, what: str, code: str, key: object
) -> int:
    """Validate a non-negative money input and return it as an ``int`` of minor units."""
    decimal = _finite_decimal(value, what, code, key)
    if decimal < 0:
        raise PricingError(f"{what} cannot be negative (got {decimal}).", code=code, key=key)
    if decimal >= _MAX_AMOUNT:
        raise PricingError(f"{what} {decimal} is too large.", code=code, key=key)
    if _decimal_places(decimal) > places:
        raise PricingError(
            f"{what} {decimal} has more decimal places than {currency} allows ({places}).",
            code=code,
            key=key,
        )
    return _units(decimal, places)


def _rate(value: object, what: str, code: str, key: object) -> Fraction:
    """Validate a percentage from 0 to 100 and return it as an exact ``Fraction``."""
    decimal = _finite_decimal(value, what, code, key)
    if not 0 <= decimal <= 100:
        raise PricingError(
            f"{what} must be between 0 and 100 percent (got {decimal}).", code=code, key=key
        )
    if _decimal_places(decimal) > _MAX_RATE_PLACES:
        raise PricingError(
            f"{what} {decimal} has more than {_MAX_RATE_PLACES} decimal places.",
            code=code,
            key=key,
        )
    return Fraction(_quantize(decimal, _MAX_RATE_PLACES))


def _units(value: Decimal, places: int) -> int:
    """An amount already on the minor unit, as an ``int`` of minor units (exact)."""
    scaled = Fraction(_quantize(value, places)) * 10**places
    if scaled.denominator != 1:  # cannot happen after _quantize; never round silently
        raise ValueError(f"{value} is not on the minor unit")
    return int(scaled)


def _money(units: int, places: int) -> Decimal:
    """Minor units back to a ``Decimal`` with exactly ``places`` decimals (built from a string, so
    no context can round it)."""
    return Decimal(f"{units}E-{places}")


def _half_up(value: Fraction) -> int:
    """Round an exact fraction to the nearest integer, ties away from zero."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    whole, remainder = divmod(magnitude.numerator, magnitude.denominator)
    if 2 * remainder >= magnitude.denominator:
        whole += 1
    return sign * whole


# --------------------------------------------------------------------------- refunds


def refund_share(
    amount: Decimal, quantity: int, refunded_before: int, refunding: int, currency: str
) -> Decimal:
    """The part of a line's `amount` (for `quantity` units) that refunding more units returns.

    Shares are cumulative: after k units the total refunded is always round(amount × k / quantity),
    so a line refunded in any number of steps returns exactly `amount`, never a cent more, and
    every step is zero or positive.
    """
    if not (0 <= refunded_before and 0 < refunding and refunded_before + refunding <= quantity):
        raise PricingError(
            f"Cannot refund {refunding} more of a line of {quantity} "
            f"({refunded_before} already refunded).",
            "refund_too_large",
        )
    places = currency_places(currency)
    total = _units(_finite_decimal(amount, "amount"), places)

    def cumulative(units: int) -> int:
        return _half_up(Fraction(total * units, quantity))

    share = cumulative(refunded_before + refunding) - cumulative(refunded_before)
    return _money(share, places)
