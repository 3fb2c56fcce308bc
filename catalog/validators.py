"""Checks shared by the model, the admin, the CSV import and the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError

BARCODE_LENGTHS = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13"}


def barcode_check_digit(body: str) -> int:
    """GS1 check digit of the digits before it: weights 3,1,3,… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def validate_barcode(value: str) -> None:
    if not value.isdigit() or len(value) not in BARCODE_LENGTHS:
        raise ValidationError(
            "A barcode is 8 (EAN-8), 12 (UPC-A) or 13 (EAN-13) digits.", code="barcode_format"
        )
    if barcode_check_digit(value[:-1]) != int(value[-1]):
        raise ValidationError(
            f"The check digit of this {BARCODE_LENGTHS[len(value)]} barcode is wrong: "
            "please re-scan or re-type it.",
            code="barcode_check_digit",
        )


def barcode_variants(code: str) -> list[str]:
    """The forms a scanned code may be stored under, itself first: a UPC-A (12 digits) is
    often read as the same EAN-13 with a leading 0, and the other way round. The register's
    lookup finds either, so uniqueness treats them as one barcode."""
    code = code.strip()
    variants = [code]
    if len(code) == 13 and code.startswith("0"):
        variants.append(code[1:])
    elif len(code) == 12:
        variants.append("0" + code)
    return variants


def with_check_digit(body: str) -> str:
    """Complete a 7-, 11- or 12-digit body into a valid barcode (used by demo data and tests)."""
    return body + str(barcode_check_digit(body))
