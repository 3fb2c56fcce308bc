"""Keep card numbers out of logs and error reports, whatever code tries to write them."""

from __future__ import annotations

import logging
import re

from django.views.debug import SafeExceptionReporterFilter

# 12–19 digits, optionally grouped by spaces or dashes: anything that could be a card number.
PAN_PATTERN = re.compile(r"(?<!\d)(?:\d[ -]?){11,18}\d(?!\d)")
MASK = "[card number removed]"
# A security code next to its name, however it is written: cvc=739, 'cvc': '739', "cvv": 7391,
# CardDetails(cvc='739'), and the same with HTML-escaped quotes on the developer's error page.
QUOTE = r"(?:['\"]|&quot;|&\#x27;|&\#39;)?"
CVC_PATTERN = re.compile(
    rf"(\b(?:cvc|cvv|cvc2|cvv2|security_code){QUOTE}\s*[:=]\s*){QUOTE}\d{{3,4}}{QUOTE}", re.I
)
CVC_MASK = r"\1'[security code removed]'"
SECURITY_CODE_NAMES = {"cvc", "cvv", "cvc2", "cvv2", "security_code"}


def mask_pans(text: str) -> str:
    """Card numbers and security codes out of a text (the name is historical: PANs first)."""
    return CVC_PATTERN.sub(CVC_MASK, PAN_PATTERN.sub(MASK, text))


def install_pan_masking() -> None:
    """Mask card-number-like digit runs in every log record as it is created.

    Done in the record factory rather than in a handler filter so that every handler sees the
    masked text: console, e-mail to admins, and anything a library or a test attaches later.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "masks_pans", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        message = record.getMessage()
        masked = mask_pans(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = mask_pans(text), None
        return record

    factory.masks_pans = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class PanSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error pages and error e-mails: no request bodies, card numbers masked everywhere."""

    hidden_settings = re.compile("API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CARD", flags=re.I)

    def get_post_parameters(self, request):
        return {key: self.cleansed_substitute for key in (request.POST if request else {})}

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [
            (
                name,
                self.cleansed_substitute if name in SECURITY_CODE_NAMES else mask_pans(str(value)),
            )
            for name, value in variables
        ]
