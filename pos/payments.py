"""Card payments through a gateway adapter; the server never keeps a card number.

`POS_PAYMENT_GATEWAY` names the adapter class. An adapter turns card details into an opaque token
(`tokenize`), charges a token (`charge`) and refunds a charge (`refund`). Only the token, brand,
last four digits and expiry are stored; the number and security code stay in memory for the few
milliseconds of the request and are never logged (see pos_site.logging).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

from pos_site.errors import ServiceError


class PaymentDeclined(ServiceError):
    """The gateway refused the card; the message says why in words a cashier can repeat."""


@dataclass(frozen=True)
class CardDetails:
    number: str
    exp_month: int
    exp_year: int
    cvc: str

    def __repr__(self) -> str:  # never print the number, even in a debugger or a traceback
        return f"CardDetails(number=•••• {self.number[-4:]}, exp={self.exp_month}/{self.exp_year})"


@dataclass(frozen=True)
class CardToken:
    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class Charge:
    reference: str
    amount: Decimal
    currency: str


class PaymentGateway:
    """Interface every gateway adapter implements."""

    name = "gateway"

    def tokenize(self, card: CardDetails) -> CardToken:
        raise NotImplementedError

    def charge(
        self, token: CardToken, amount: Decimal, currency: str, idempotency_key: str
    ) -> Charge:
        raise NotImplementedError

    def refund(self, reference: str, amount: Decimal, currency: str) -> str:
        raise NotImplementedError


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def card_brand(number: str) -> str:
    if number.startswith("4"):
        return "Visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
        return "Mastercard"
    if number[:2] in {"34", "37"}:
        return "Amex"
    if number.startswith("6011") or number.startswith("65"):
        return "Discover"
    return "Card"


def clean_card_number(raw: str) -> str:
    number = "".join(ch for ch in str(raw) if ch not in " -")
    if not number.isdigit() or not 12 <= len(number) <= 19:
        raise PaymentDeclined("The card number should be 12 to 19 digits.", "invalid_card_number")
    if not luhn_valid(number):
        raise PaymentDeclined(
            "The card number is not valid; please check it and type it again.",
            "invalid_card_number",
        )
    return number


class SimulatedGateway(PaymentGateway):
    """A stand-in gateway for development and tests. It never moves real money.

    Test cards (any future expiry, any 3-digit CVC):
      4242 4242 4242 4242  Visa, approved
      5555 5555 5555 4444  Mastercard, approved
      4000 0000 0000 0002  always declined ("Card declined by the bank")
      4000 0000 0000 0119  fails once with a temporary error; the retry is approved
    """

    name = "simulated"
    DECLINE = "4000000000000002"
    RETRY = "4000000000000119"
    _attempts: dict[str, int] = {}
    _lock = threading.Lock()

    def __init__(self) -> None:
        self._secret = settings.SECRET_KEY.encode()

    def tokenize(self, card: CardDetails) -> CardToken:
        number = clean_card_number(card.number)
        today = date.today()
        if not 1 <= card.exp_month <= 12:
            raise PaymentDeclined("The expiry month must be 1 to 12.", "invalid_expiry")
        if (card.exp_year, card.exp_month) < (today.year, today.month):
            raise PaymentDeclined("The card has expired.", "card_expired")
        if not (card.cvc.isdigit() and len(card.cvc) in (3, 4)):
            raise PaymentDeclined("The security code is 3 or 4 digits.", "invalid_cvc")
        # The token names the card for this gateway only; the number cannot be derived from it.
        digest = hmac.new(self._secret, number.encode(), hashlib.sha256).hexdigest()[:24]
        marker = {self.DECLINE: "dcl", self.RETRY: "rty"}.get(number, "ok")
        return CardToken(
            token=f"tok_sim_{marker}_{digest}",
            brand=card_brand(number),
            last4=number[-4:],
            exp_month=card.exp_month,
            exp_year=card.exp_year,
        )

    def charge(
        self, token: CardToken, amount: Decimal, currency: str, idempotency_key: str
    ) -> Charge:
        if settings.PRODUCTION:  # a simulated approval in a real shop would give goods away
            raise PaymentDeclined(
                "Card payments are not set up on this till (no payment gateway is configured). "
                "Take another way to pay and tell a manager.",
                "gateway_not_configured",
            )
        if token.token.startswith("tok_sim_dcl_"):
            raise PaymentDeclined(
                "Card declined by the bank. Ask for another card or another way to pay.",
                "card_declined",
            )
        if token.token.startswith("tok_sim_rty_"):
            with self._lock:
                attempts = self._attempts.get(idempotency_key, 0) + 1
                self._attempts[idempotency_key] = attempts
            if attempts == 1:
                raise PaymentDeclined(
                    "The card network did not answer in time. Please try the payment again.",
                    "gateway_retry",
                )
        return Charge(reference=f"sim_{secrets.token_hex(6)}", amount=amount, currency=currency)

    def refund(self, reference: str, amount: Decimal, currency: str) -> str:
        return f"simref_{secrets.token_hex(6)}"


def payment_gateway() -> PaymentGateway:
    """The configured adapter (`POS_PAYMENT_GATEWAY`), the simulated one by default."""
    return import_string(settings.POS_PAYMENT_GATEWAY)()
