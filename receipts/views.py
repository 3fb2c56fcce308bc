"""Receipt pages: HTML and PDF for signed-in staff, the signed link for customers, the
template preview, and the managers' "Find a receipt" admin page. Views stay thin: selectors
decide access and build the data, renderers write it out."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from pos.models import Refund, Sale
from pos_site.errors import NotFoundError, PermissionDeniedError, ServiceError

from . import links, selectors, services
from .models import ReceiptTemplate
from .renderers.codes import code_svg
from .renderers.pdf import render_pdf
from .renderers.text import render_text
from .selectors import ReceiptData

PAPER_CSS = {"58mm": "receipts/paper-58mm.css", "80mm": "receipts/paper-80mm.css"}


def _document_or_error(request: HttpRequest, number: str) -> Sale | Refund:
    try:
        return selectors.viewable_document(number, request.user)
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from None
    except NotFoundError as error:
        raise Http404(error.message) from None


def _html(
    request: HttpRequest,
    receipt: ReceiptData,
    *,
    pdf_url: str,
    back_url: str = "",
    preview: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "receipt": receipt,
        "layout": receipt.layout,
        "keyed": any(line.tax_label for line in receipt.lines),
        "code_svg": code_svg(receipt.number, receipt.layout.code),
        "paper_css": PAPER_CSS.get(receipt.layout.paper, "receipts/paper-a4.css"),
        "pdf_url": pdf_url,
        "back_url": back_url,
        "preview": preview,
        "autoprint": request.GET.get("print") == "1",
    }
    response = render(request, "receipts/receipt.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf(receipt: ReceiptData, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(render_pdf(receipt), content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="receipt-{receipt.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _back_url(request: HttpRequest) -> str:
    target = request.GET.get("back", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
def receipt_page(request: HttpRequest, number: str) -> HttpResponse:
    """`/receipts/<number>/`: a sale's (S-…) or a refund's (R-…) printable receipt."""
    document = _document_or_error(request, number)
    return _html(
        request,
        selectors.receipt_for_document(document),
        pdf_url=reverse("receipts:pdf", args=[document.number]),
        back_url=_back_url(request),
    )


@login_required
def receipt_pdf(request: HttpRequest, number: str) -> HttpResponse:
    document = _document_or_error(request, number)
    return _pdf(
        selectors.receipt_for_document(document), download=request.GET.get("download") == "1"
    )


def _linked_document(request: HttpRequest, token: str) -> Sale | Refund | HttpResponse:
    try:
        number = links.read_token(token)
    except signing.SignatureExpired:
        return render(request, "receipts/link_expired.html", status=410)
    except signing.BadSignature:
        raise Http404("This receipt link is not valid.") from None
    document = selectors.document_for_number(number)
    if document is None:
        raise Http404("This receipt no longer exists.")
    return document


def receipt_link(request: HttpRequest, token: str) -> HttpResponse:
    """A customer's emailed link: no login, but signed and only valid for a while."""
    document = _linked_document(request, token)
    if isinstance(document, HttpResponse):
        return document
    response = _html(
        request,
        selectors.receipt_for_document(document),
        pdf_url=reverse("receipts:link-pdf", args=[token]),
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def receipt_link_pdf(request: HttpRequest, token: str) -> HttpResponse:
    document = _linked_document(request, token)
    if isinstance(document, HttpResponse):
        return document
    response = _pdf(selectors.receipt_for_document(document))
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def preview_response(request: HttpRequest, template: ReceiptTemplate, mode: str) -> HttpResponse:
    """Wagtail's live preview of a template: a sample sale, nothing read from real sales."""
    receipt = selectors.sample_receipt(template)
    if mode == "pdf":
        return _pdf(receipt)
    if mode == "text":
        return render(
            request,
            "receipts/preview_text.html",
            {"receipt": receipt, "text": render_text(receipt)},
        )
    return _html(request, receipt, pdf_url="", preview=True)


# --------------------------------------------------------------------------- admin


def can_find_receipts(user) -> bool:
    return user.has_perm("pos.view_sale")


class FindReceiptForm(forms.Form):
    number = forms.CharField(
        label="Sale or refund number",
        max_length=20,
        required=False,
        help_text="A sale (S-000042) or a refund or void (R-000007).",
        widget=forms.TextInput(attrs={"placeholder": "S-000042", "autofocus": True}),
    )


class EmailReceiptForm(forms.Form):
    email = forms.CharField(
        label="Customer's email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"placeholder": "customer@example.com"}),
    )


class FindReceiptView(WagtailAdminTemplateMixin, View):
    """Managers: look a sale or a refund up by number, reprint its receipt (HTML/PDF) or email
    it."""

    template_name = "receipts/admin/find.html"
    page_title = "Find a receipt"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not can_find_receipts(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def _render(self, *, form, sale=None, email_form=None, status=200) -> TemplateResponse:
        receipt = selectors.receipt_for_document(sale) if sale else None
        context = self.get_context_data(
            form=form,
            sale=sale,
            receipt=receipt,
            email_form=email_form or EmailReceiptForm(),
            recent=selectors.recent_sales(10) if sale is None else [],
            printer=bool(getattr(settings, "RECEIPT_PRINTER", "")),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def _lookup(self, number: str) -> Sale | Refund | None:
        """A sale (S-…) or a refund/void (R-…) the user may see."""
        document = selectors.document_for_number(number.strip().upper())
        if document is not None and selectors.can_view_receipt(self.request.user, document):
            return document
        return None

    def get(self, request: HttpRequest) -> TemplateResponse:
        form = FindReceiptForm(request.GET or None)
        sale = None
        if form.is_valid() and form.cleaned_data["number"]:
            sale = self._lookup(form.cleaned_data["number"])
            if sale is None:
                form.add_error(
                    "number", f"No sale or refund numbered {form.cleaned_data['number']}."
                )
        return self._render(form=form, sale=sale)

    def post(self, request: HttpRequest) -> HttpResponse:
        number = request.POST.get("number", "")
        sale = self._lookup(number)
        if sale is None:
            raise Http404("No such sale or refund.")
        action = request.POST.get("action", "email")
        back = reverse("receipts_admin:find") + f"?number={sale.number}"
        if action == "print":
            try:
                services.print_receipt(sale=sale, by_user=request.user)
            except ServiceError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"Receipt {sale.number} sent to the receipt printer.")
            return redirect(back)
        email_form = EmailReceiptForm(request.POST)
        if email_form.is_valid():
            try:
                sent = services.email_receipt(
                    sale=sale,
                    to=email_form.cleaned_data["email"],
                    by_user=request.user,
                    base_url=request.build_absolute_uri("/"),
                )
            except ServiceError as error:
                email_form.add_error("email", error.message)
            else:
                messages.success(request, f"Receipt {sale.number} emailed to {sent.to}.")
                return redirect(back)
        return self._render(
            form=FindReceiptForm(initial={"number": sale.number}),
            sale=sale,
            email_form=email_form,
            status=400,
        )
