"""The product editor's "Stock history" panel: recent stock movements, read-only.

The movements belong to the pos app, which depends on catalog and not the other way round, so
pos hands catalog the function that reads them (`provide`, called from PosConfig.ready) and the
panel stays empty of pos imports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wagtail.admin.panels import Panel

# (product, user) → {"rows": [...], "url": full history, "total": count}, or None to hide.
HistoryReader = Callable[[Any, Any], dict | None]
_reader: HistoryReader | None = None


def provide(reader: HistoryReader) -> None:
    global _reader  # noqa: PLW0603 - one reader for the process, set once at start-up
    _reader = reader


class StockHistoryPanel(Panel):
    """The last movements of the product being edited, with a link to its whole history."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "catalog/panels/stock_history.html"

        def history(self) -> dict | None:
            if _reader is None or self.instance is None or not self.instance.pk:
                return None
            return _reader(self.instance, self.request.user)

        def is_shown(self) -> bool:
            return super().is_shown() and self.history() is not None

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["history"] = self.history()
            return context
