// The sales of this shift: reprint or email a receipt, refund items, void a sale.
//
// One dialog with five views: the list, a sale, the refund form, the void form and the result
// of a refund or void. A cashier has no refund/void permission: a manager approves in place by
// typing their own username and password (sent once with the request, never kept).
// Idempotency: one key per refund attempt, reused when the same refund is sent again (a
// double-click, a lost answer), so a retry never refunds twice.
import { $, $$, h, icon, fill, format, debounce } from "./dom.js";
import { newIdempotencyKey } from "./api.js";

export function createSales({ api, money, t, urls, config, locale, report, onChange }) {
  const dialog = $("#sales-dialog");
  const title = $("#sales-title");
  const back = $("#sales-back");
  const search = $("#sales-search");
  const list = $("#sales-list");
  const refundForm = $("#refund-form");
  const voidForm = $("#void-form");

  let view = "list";
  let sale = null; // the sale on screen (GET /sales/{number}/)
  let refund = null; // the last refund or void made here
  let attempt = null; // {key, fingerprint} of the refund being sent
  let busy = false;
  let listRequest = null;
  let saleLoad = 0; // counts sale reads: only the latest one's answer is shown

  // ------------------------------------------------------------------ views

  function show(next) {
    view = next;
    for (const section of $$("[data-sales-view]", dialog)) {
      section.hidden = section.dataset.salesView !== next;
    }
    back.hidden = next === "list";
    if (next === "list") title.textContent = t.sales_title;
    else if (sale) title.textContent = sale.number;
  }

  // Back is instant (a second press goes on from where the first one led, however slow the
  // server); the sale is then read again, and an answer that comes after leaving it is dropped.
  function goBack() {
    if (view === "sale") {
      saleLoad += 1;
      show("list");
      loadList();
      search.focus();
    } else if (view === "refund" || view === "void" || view === "done") {
      show("sale");
      openSale(sale.number);
    }
  }

  function showError(box, message) {
    box.textContent = message || "";
    box.hidden = !message;
  }

  function failed(box, error) {
    showError(box, error.message);
    if (error.kind === "session") report(error);
  }

  // ------------------------------------------------------------------ the list

  async function open() {
    if (!dialog.open) dialog.showModal();
    search.value = "";
    show("list");
    search.focus();
    await loadList();
  }

  async function loadList() {
    if (listRequest) listRequest.abort();
    const controller = new AbortController();
    listRequest = controller;
    const query = search.value.trim();
    const params = new URLSearchParams({ limit: "50" });
    if (query) params.set("search", query);
    showError($("#sales-error"), "");
    list.setAttribute("aria-busy", "true");
    try {
      const { data } = await api.get(`${urls.shift_sales}?${params}`, { signal: controller.signal });
      renderList(data, query);
    } catch (error) {
      if (controller.signal.aborted) return;
      fill(list);
      $("#sales-count").textContent = "";
      failed($("#sales-error"), error);
    } finally {
      if (listRequest === controller) {
        listRequest = null;
        list.setAttribute("aria-busy", "false");
      }
    }
  }

  function renderList(data, query) {
    const count = $("#sales-count");
    if (!data.results.length) {
      count.textContent = "";
      fill(list, h("li", { class: "sales-empty" }, query ? format(t.sales_none_found, { query }) : t.sales_none));
      return;
    }
    let text = query ? "" : data.count === 1 ? t.sales_list_count_one : format(t.sales_list_count, { count: data.count });
    if (!query && data.count > data.results.length) {
      text += ` (${format(t.sales_shown, { count: data.results.length })})`;
    }
    count.textContent = text;
    fill(list, data.results.map(saleRow));
  }

  function saleRow(row) {
    const badges = [];
    if (row.status === "voided") badges.push(h("span", { class: "badge badge-out" }, t.voided));
    else if (row.refunds.length) {
      badges.push(h("span", { class: "badge badge-low" }, format(t.refunded, { amount: row.formatted.refunded })));
    }
    return h(
      "li",
      { class: "sale-row", dataset: { number: row.number } },
      h(
        "button",
        {
          type: "button",
          class: "sale-open",
          "aria-label": `${format(t.open_sale, { number: row.number })}, ${time(row.created_at)}, ${row.formatted.total}`,
          onclick: () => openSale(row.number),
        },
        h("span", { class: "sale-number" }, row.number),
        h("span", { class: "sale-time" }, time(row.created_at)),
        h("span", { class: "sale-sum" }, row.formatted.total),
        h(
          "span",
          { class: "sale-info" },
          [
            row.item_count === 1 ? t.item : format(t.items, { count: row.item_count }),
            row.payment_methods.map((m) => t[m] || m).join(" + "),
          ].join(" · "),
          badges,
        ),
      ),
      h(
        "a",
        {
          class: "button button-small",
          href: `${row.receipt_urls.html}?print=1`,
          target: "_blank",
          rel: "noopener",
          "aria-label": format(t.print_number, { number: row.number }),
        },
        t.print,
      ),
      h(
        "a",
        {
          class: "button button-small",
          href: row.receipt_urls.pdf,
          download: `${row.number}.pdf`,
          "aria-label": format(t.pdf_number, { number: row.number }),
        },
        "PDF",
      ),
    );
  }

  function time(iso) {
    try {
      return new Intl.DateTimeFormat(locale, { timeStyle: "short" }).format(new Date(iso));
    } catch {
      return iso;
    }
  }

  // ------------------------------------------------------------------ one sale

  async function openSale(number) {
    const mine = ++saleLoad;
    showError($("#sale-error"), "");
    let data;
    try {
      ({ data } = await api.get(`${urls.sales}${encodeURIComponent(number)}/`));
    } catch (error) {
      if (mine !== saleLoad) return;
      show("list");
      failed($("#sales-error"), error);
      return;
    }
    if (mine !== saleLoad) return; // left meanwhile
    sale = data;
    renderSale();
    show("sale");
    const first = $("#sale-print");
    first.focus();
  }

  function renderSale() {
    const lines = sale.lines.map((line) =>
      h(
        "tr",
        {},
        h(
          "td",
          {},
          line.name,
          line.refunded_quantity
            ? h("span", { class: "line-refunded" }, format(t.refunded_qty, { count: line.refunded_quantity }))
            : null,
        ),
        h("td", { class: "num" }, String(line.quantity)),
        h("td", { class: "num" }, money.text(money.fromApi(line.line_total.amount))),
      ),
    );
    fill($("#sale-lines"), lines);
    $("#sale-total").textContent = sale.formatted.total;
    const meta = [time(sale.created_at), sale.cashier, sale.register];
    if (sale.status === "voided") meta.push(t.voided);
    $("#sale-meta").textContent = meta.join(" · ");
    $("#sale-payments").textContent = sale.payments
      .map((p) => `${tenderName(p)} ${money.text(money.fromApi(p.amount.amount))}`)
      .join(" · ");
    $("#sale-print").href = `${sale.receipt_urls.html}?print=1`;
    $("#sale-pdf").href = sale.receipt_urls.pdf;
    $("#sale-pdf").setAttribute("download", `${sale.number}.pdf`);
    const refundable = sale.lines.some((line) => line.refundable_quantity > 0);
    $("#sale-refund").hidden = !refundable;
    $("#sale-void").hidden = !sale.can_void;
    resetEmail($("#sale-email-form"));
    const refunds = $("#sale-refunds");
    refunds.hidden = !sale.refunds.length;
    fill(
      $("#sale-refund-list"),
      sale.refunds.map((r) =>
        h(
          "li",
          { class: "refund-row" },
          h("span", { class: "sale-number" }, r.number),
          h("span", { class: "sale-time" }, time(r.created_at)),
          h("span", { class: "sale-sum" }, `−${r.formatted.total}`),
          h(
            "a",
            {
              class: "button button-small",
              href: `${r.receipt_urls.html}?print=1`,
              target: "_blank",
              rel: "noopener",
              "aria-label": format(t.print_number, { number: r.number }),
            },
            t.print,
          ),
          h(
            "a",
            {
              class: "button button-small",
              href: r.receipt_urls.pdf,
              download: `${r.number}.pdf`,
              "aria-label": format(t.pdf_number, { number: r.number }),
            },
            "PDF",
          ),
        ),
      ),
    );
  }

  function tenderName(payment) {
    if (payment.method === "card") return payment.card || t.card;
    return payment.method === "cash" ? t.cash : t.other;
  }

  // ------------------------------------------------------------------ email

  function resetEmail(form) {
    if (!form) return;
    form.reset();
    $(".email-status", form).textContent = "";
  }

  function wireEmail(form, url) {
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = $(".email-status", form);
      const button = $("button[type=submit]", form);
      const target = url();
      if (!target) return;
      button.disabled = true;
      status.textContent = t.sending;
      try {
        const { data } = await api.post(target, { email: $("input", form).value.trim() });
        status.textContent = data.detail;
      } catch (error) {
        status.textContent = error.message;
        if (error.kind === "session") report(error);
      } finally {
        button.disabled = false;
      }
    });
  }

  // ------------------------------------------------------------------ refund

  function startRefund() {
    attempt = null;
    refundForm.reset();
    showError($("#refund-error"), "");
    setApproval("refund", !config.can_refund);
    fill(
      $("#refund-lines"),
      sale.lines.filter((line) => line.refundable_quantity > 0).map(refundLine),
    );
    updateRefundButton();
    show("refund");
    $("#refund-lines input")?.focus();
  }

  function refundLine(line) {
    const input = h("input", {
      class: "qty-input",
      inputmode: "numeric",
      autocomplete: "off",
      maxlength: 4,
      value: "0",
      "aria-label": format(t.refund_quantity, { name: line.name }),
      dataset: { line: line.id, max: line.refundable_quantity },
    });
    const step = (delta) => {
      const now = quantityOf(input);
      const next = Math.min(Math.max((now === null ? 0 : now) + delta, 0), line.refundable_quantity);
      input.value = String(next);
      updateRefundButton();
    };
    input.addEventListener("input", updateRefundButton);
    input.addEventListener("focus", () => input.select());
    const fate = h(
      "select",
      { class: "input refund-fate", "aria-label": format(t.refund_fate, { name: line.name }) },
      h("option", { value: "restock" }, t.back_to_stock),
      h("option", { value: "write_off" }, t.write_off),
    );
    return h(
      "li",
      { class: "refund-line", dataset: { line: line.id } },
      h(
        "div",
        { class: "line-info" },
        h("span", { class: "line-name" }, line.name),
        h(
          "span",
          { class: "line-unit" },
          `${t.sold} ${line.quantity} · ${format(t.refundable, { count: line.refundable_quantity })}`,
        ),
      ),
      h(
        "div",
        { class: "stepper" },
        h(
          "button",
          { type: "button", class: "step step-down", "aria-label": format(t.refund_less, { name: line.name }), onclick: () => step(-1) },
          icon("minus"),
        ),
        input,
        h(
          "button",
          { type: "button", class: "step step-up", "aria-label": format(t.refund_more, { name: line.name }), onclick: () => step(1) },
          icon("plus"),
        ),
      ),
      fate,
    );
  }

  function quantityOf(input) {
    const value = input.value.trim();
    return /^\d{1,4}$/.test(value) ? Number(value) : null;
  }

  function chosenLines() {
    const lines = [];
    for (const item of $$("#refund-lines .refund-line")) {
      const input = $(".qty-input", item);
      const quantity = quantityOf(input);
      const max = Number(input.dataset.max);
      if (quantity === null || quantity > max) {
        throw new Error(format(t.refundable, { count: max }) + ": " + $(".line-name", item).textContent);
      }
      if (quantity > 0) {
        lines.push({
          line: Number(item.dataset.line),
          quantity,
          restock: $(".refund-fate", item).value === "restock",
        });
      }
    }
    return lines;
  }

  function updateRefundButton() {
    let count = 0;
    for (const input of $$("#refund-lines .qty-input")) count += quantityOf(input) || 0;
    $("#refund-submit").textContent = !count
      ? t.refund
      : count === 1
        ? t.refund_item
        : format(t.refund_items, { count });
  }

  function setApproval(kind, needed) {
    const box = $(`#${kind}-approval`);
    box.hidden = !needed;
    $(`#${kind}-approver`).value = "";
    $(`#${kind}-approver-password`).value = "";
  }

  function approver(kind) {
    if ($(`#${kind}-approval`).hidden) return undefined;
    const username = $(`#${kind}-approver`).value.trim();
    const password = $(`#${kind}-approver-password`).value;
    if (!username || !password) {
      const missing = username ? `#${kind}-approver-password` : `#${kind}-approver`;
      $(missing).focus();
      throw new Error(t.approval_needed);
    }
    return { username, password };
  }

  async function sendRefund(event) {
    event.preventDefault();
    if (busy) return;
    const errorBox = $("#refund-error");
    showError(errorBox, "");
    let body;
    try {
      const lines = chosenLines();
      if (!lines.length) throw new Error(t.refund_nothing);
      const tender = refundForm.elements.tender.value;
      body = { lines, tender, reason: $("#refund-reason").value.trim() };
      const approval = approver("refund");
      if (approval) body.approver = approval;
    } catch (error) {
      showError(errorBox, error.message);
      return;
    }
    const fingerprint = JSON.stringify([sale.number, body.lines, body.tender]);
    if (!attempt || attempt.fingerprint !== fingerprint) {
      attempt = { key: newIdempotencyKey(), fingerprint };
    }
    body.idempotency_key = attempt.key;
    await send($("#refund-submit"), errorBox, "refund", () =>
      api.post(`${urls.sales}${encodeURIComponent(sale.number)}/refunds/`, body),
    );
  }

  // ------------------------------------------------------------------ void

  function startVoid() {
    voidForm.reset();
    showError($("#void-error"), "");
    setApproval("void", !config.can_void);
    $("#void-lead").textContent = format(t.void_lead, { number: sale.number, amount: sale.formatted.total });
    show("void");
    $("#void-reason").focus();
  }

  async function sendVoid(event) {
    event.preventDefault();
    if (busy) return;
    const errorBox = $("#void-error");
    showError(errorBox, "");
    const body = { reason: $("#void-reason").value.trim() };
    try {
      const approval = approver("void");
      if (approval) body.approver = approval;
    } catch (error) {
      showError(errorBox, error.message);
      return;
    }
    await send($("#void-submit"), errorBox, "void", () =>
      api.post(`${urls.sales}${encodeURIComponent(sale.number)}/void/`, body),
    );
  }

  async function send(button, errorBox, kind, request) {
    busy = true;
    button.disabled = true;
    const label = button.textContent;
    button.textContent = t.processing;
    try {
      const { data } = await request();
      attempt = null;
      setApproval(kind, false); // the manager's password leaves the page at once
      refund = data;
      showDone(data);
      onChange();
    } catch (error) {
      failed(errorBox, error);
      if (error.code === "approval_required") {
        $(`#${kind}-approval`).hidden = false;
        $(`#${kind}-approver`).focus();
      } else if (error.code === "approval_failed") {
        $(`#${kind}-approver-password`).value = "";
        $(`#${kind}-approver-password`).focus();
      }
    } finally {
      $(`#${kind}-approver-password`).value = ""; // typed again for the next try, never kept
      busy = false;
      button.disabled = false;
      button.textContent = label;
      if (kind === "refund" && view === "refund") updateRefundButton();
    }
  }

  // ------------------------------------------------------------------ the result

  function showDone(data) {
    const isVoid = data.kind === "void";
    $("#refund-done-title").textContent = isVoid
      ? format(t.void_done, { sale: data.sale, number: data.number })
      : format(t.refund_done, { number: data.number });
    $("#refund-done-label").textContent = t.money_back;
    $("#refund-done-amount").textContent = data.formatted.total;
    fill(
      $("#refund-done-tenders"),
      data.payments.map((p) =>
        h(
          "li",
          { class: p.method === "cash" ? "is-cash" : "" },
          h("span", {}, moneyBackLabel(p)),
          h("strong", {}, money.text(money.fromApi(p.amount.amount))),
        ),
      ),
    );
    $("#refund-done-approver").textContent = format(t.approved_by, { name: data.approved_by });
    $("#refund-print").href = `${data.receipt_urls.html}?print=1`;
    $("#refund-pdf").href = data.receipt_urls.pdf;
    $("#refund-pdf").setAttribute("download", `${data.number}.pdf`);
    resetEmail($("#refund-email-form"));
    show("done");
    title.textContent = data.number;
    $("#refund-print").focus();
  }

  function moneyBackLabel(payment) {
    if (payment.method === "cash") return t.money_back_cash;
    if (payment.method === "card") {
      const original = sale && sale.payments.find((p) => p.method === "card" && p.card);
      return format(t.money_back_card, { card: original ? original.card : t.card });
    }
    return t.money_back_other;
  }

  // ------------------------------------------------------------------ wiring

  back.addEventListener("click", goBack);
  search.addEventListener("input", debounce(loadList, 200));
  search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const first = $(".sale-open", list);
    if (first && $$(".sale-open", list).length === 1) first.click();
  });
  $("#sale-refund").addEventListener("click", startRefund);
  $("#sale-void").addEventListener("click", startVoid);
  $("#refund-back").addEventListener("click", () => openSale(sale.number));
  refundForm.addEventListener("submit", sendRefund);
  voidForm.addEventListener("submit", sendVoid);
  wireEmail($("#sale-email-form"), () => sale && `${urls.sales}${encodeURIComponent(sale.number)}/email-receipt/`);
  wireEmail($("#refund-email-form"), () => refund && `${urls.refunds}${encodeURIComponent(refund.number)}/email-receipt/`);
  dialog.addEventListener("keydown", (event) => {
    // Backspace-free way back for keyboards: Alt+← as in a browser.
    if (event.altKey && event.key === "ArrowLeft" && view !== "list") {
      event.preventDefault();
      goBack();
    }
  });
  dialog.addEventListener("cancel", (event) => {
    if (busy) event.preventDefault(); // keep the dialog while a refund is being sent
  });
  dialog.addEventListener("close", () => {
    // Nothing of a manager's credentials stays on the page.
    setApproval("refund", false);
    setApproval("void", false);
  });

  return { open, isOpen: () => dialog.open };
}
