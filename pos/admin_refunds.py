"""A manager refunds any sale from the Wagtail admin (the sale's page → Refund).

The register only lists the sales of the cashier's own open shift; a sale of an earlier shift,
of another register or of another cashier is refunded here. Thin: the form collects the lines,
the view calls `pos.refunds.refund_sale` (which checks the limits, the permission and the shift
again) and shows its message when it refuses.

The refund is paid from an open shift the manager chooses (by default the open shift of the
sale's register, else the only open one): its cash leaves that drawer and the refund appears
in that shift's X/Z report, card refunds included. With no shift open anywhere, nothing can be
refunded until a register opens one.
"""

from __future__ import annotations

import uuid

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from pos_site.errors import ServiceError

from . import admin_selectors as selectors
from .admin_views import forbidden
from .models import Sale, Shift
from .refunds import RefundLineRequest, refund_sale
from .selectors import refunded_quantities

REFUND_SALE = "pos.refund_sale"


class ShiftChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Shift) -> str:
        who = selectors.user_text(obj.cashier)
        return f"{obj.register.name} — shift #{obj.pk} ({who})"


class AdminRefundForm(forms.Form):
    """One quantity and a restock / write-off choice per line, then how and from where."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    tender = forms.ChoiceField(
        label="Money back",
        choices=[
            ("original", "On the original payments (card back on the card, cash from the drawer)"),
            ("cash", "All in cash from the drawer"),
        ],
        initial="original",
        widget=forms.RadioSelect,
    )
    shift = ShiftChoiceField(
        label="Paid from the open shift of",
        queryset=Shift.objects.none(),
        empty_label=None,
        error_messages={
            "required": "No register has an open shift: a refund is paid from an open shift, "
            "so open one on a register first.",
            "invalid_choice": "That shift is no longer open; choose another.",
        },
        help_text="The refund appears in this shift's report; cash leaves this drawer.",
    )
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, sale: Sale, **kwargs):
        super().__init__(*args, **kwargs)
        self.sale = sale
        done = refunded_quantities(sale)
        self.lines = []
        for line in sale.lines.order_by("position"):
            left = 0 if sale.status == Sale.Status.VOIDED else line.quantity - done.get(line.pk, 0)
            qty = forms.IntegerField(
                label=f"{line.name} — quantity to refund",
                min_value=0,
                max_value=9999,
                initial=0,
                required=False,
            )
            goods = forms.ChoiceField(
                label=f"{line.name} — goods",
                choices=[("restock", "Back to stock"), ("write_off", "Write off (damaged)")],
                initial="restock",
            )
            self.fields[f"qty_{line.pk}"] = qty
            self.fields[f"goods_{line.pk}"] = goods
            self.lines.append({"line": line, "left": left, "sold": line.quantity})
        open_shifts = Shift.objects.filter(status=Shift.Status.OPEN).select_related(
            "register", "cashier"
        )
        self.fields["shift"].queryset = open_shifts.order_by("register__name")
        preferred = open_shifts.filter(register=sale.register_id).first()
        if preferred is None and open_shifts.count() == 1:
            preferred = open_shifts.first()
        if preferred is not None:
            self.fields["shift"].initial = preferred.pk

    def line_rows(self) -> list[dict]:
        return [
            {
                **row,
                "qty": self[f"qty_{row['line'].pk}"],
                "goods": self[f"goods_{row['line'].pk}"],
            }
            for row in self.lines
        ]

    def requests(self) -> list[RefundLineRequest]:
        data = self.cleaned_data
        return [
            RefundLineRequest(
                row["line"].pk,
                data[f"qty_{row['line'].pk}"],
                data[f"goods_{row['line'].pk}"] == "restock",
            )
            for row in self.lines
            if data.get(f"qty_{row['line'].pk}")
        ]


class SaleRefundView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "pos/admin/sale_refund.html"
    header_icon = "rotate"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm(REFUND_SALE):
            return forbidden(request)
        self.sale = get_object_or_404(Sale.objects.select_related("register"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return f"Refund {self.sale.number}"

    def sale_url(self) -> str:
        from .admin_listings import sale_inspect_url

        return sale_inspect_url(self.sale.pk)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.sale_url(), "label": self.sale.number},
            {"url": "", "label": "Refund"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form") or AdminRefundForm(
            sale=self.sale, initial={"idempotency_key": uuid.uuid4()}
        )
        context.update(
            form=form,
            rows=form.line_rows(),
            sale=self.sale,
            sale_url=self.sale_url(),
            voided=self.sale.status == Sale.Status.VOIDED,
            no_open_shift=not form.fields["shift"].queryset.exists(),
            total=selectors.money_text(self.sale.total),
        )
        return context

    def refused(self, form: AdminRefundForm, message: str) -> HttpResponse:
        messages.error(self.request, f"Nothing was refunded: {message}")
        return self.render_to_response(self.get_context_data(form=form, refusal=message))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = AdminRefundForm(request.POST, sale=self.sale)
        if not form.is_valid():
            return self.refused(form, "correct the highlighted fields.")
        data = form.cleaned_data
        try:
            result = refund_sale(
                sale=self.sale,
                lines=form.requests(),
                idempotency_key=data["idempotency_key"],
                user=request.user,
                reason=data["reason"].strip(),
                tender=data["tender"],
                shift=data["shift"],
                request=request,
            )
        except ServiceError as error:
            return self.refused(form, error.message)
        from .admin_listings import refund_inspect_url

        refund = result.refund
        if result.created:
            messages.success(
                request,
                f"Refunded {selectors.money_text(refund.total)} on {self.sale.number}: "
                f"{refund.number}.",
                buttons=[messages.button(f"/receipts/{refund.number}/", "Refund receipt")],
            )
        else:
            messages.info(request, f"{refund.number} was already made by this form.")
        return HttpResponseRedirect(refund_inspect_url(refund.pk))
