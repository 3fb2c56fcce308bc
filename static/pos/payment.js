// The payment dialog: cash (quick amounts, change due), card, other tenders, split payments.
// The server settles the sale; this dialog only adds up what the cashier typed to show the
// change and to catch an obvious shortfall before asking.
//
// Idempotency: one key per payment attempt. A retry of the same attempt (double-click, a
// timeout, "Cannot reach the server") reuses the key, so the server returns the sale it may
// already have written instead of selling twice. Changing the tenders starts a new attempt.
import { $, $$, h, icon, fill, format } from "./dom.js";
import { newIdempotencyKey } from "./api.js";

export function createPayment({ api, money, t, urls, getCart, onPaid, onError, sendOffline }) {
  const dialog = $("#pay-dialog");
  const form = $("#pay-form");
  const submit = $("#pay-submit");
  const addTender = $("#add-tender");
  const errorBox = $("#pay-error");
  const fields = {
    tendered: $("#cash-tendered"),
    cardAmount: $("#card-amount"),
    cardNumber: $("#card-number"),
    expMonth: $("#card-exp-month"),
    expYear: $("#card-exp-year"),
    cvc: $("#card-cvc"),
    otherAmount: $("#other-amount"),
    reference: $("#other-reference"),
  };

  let tenders = []; // {method, units, card?, reference?}
  let method = "cash";
  let attempt = null; // {key, fingerprint}
  let inFlight = false;

  // --------------------------------------------------------------- sums (minor units)

  function totals() {
    const cart = getCart();
    const total = money.fromApi(cart.total.amount);
    const nonCash = sum(tenders.filter((x) => x.method !== "cash"));
    const cashAdded = sum(tenders.filter((x) => x.method === "cash"));
    const afterNonCash = total - nonCash;
    const cashDue = afterNonCash > 0 ? money.roundCash(afterNonCash) : 0;
    return {
      total,
      nonCash,
      cashAdded,
      afterNonCash,
      cashLeft: cashDue - cashAdded,
      left: afterNonCash - cashAdded,
    };
  }

  const sum = (list) => list.reduce((acc, x) => acc + x.units, 0);

  // --------------------------------------------------------------- rendering

  function render() {
    const s = totals();
    $("#pay-due-label").textContent = tenders.length ? t.remaining : t.to_pay;
    const shown = method === "cash" ? Math.max(s.cashLeft, 0) : Math.max(s.left, 0);
    $("#pay-due").textContent = money.text(shown);
    const note = $("#pay-total-note");
    const notes = [];
    if (tenders.length) notes.push(format(t.sale_total, { amount: money.text(s.total) }));
    if (method === "cash" && s.afterNonCash > 0 && money.roundCash(s.afterNonCash) !== s.afterNonCash) {
      notes.push(t.cash_rounded);
    }
    note.textContent = notes.join(" · ");
    note.hidden = !notes.length;
    renderTenders();
    renderQuickAmounts(s);
    renderChange(s);
  }

  function renderTenders() {
    const list = $("#pay-tenders");
    list.hidden = !tenders.length;
    fill(
      list,
      tenders.map((tender, index) =>
        h(
          "li",
          { class: "tender" },
          h("span", { class: "tender-method" }, tenderLabel(tender)),
          h("span", { class: "tender-amount" }, money.text(tender.units)),
          h(
            "button",
            {
              type: "button",
              class: "icon-button",
              "aria-label": format(t.remove, { name: tenderLabel(tender) }),
              onclick: () => {
                tenders.splice(index, 1);
                hideError();
                render();
              },
            },
            icon("close"),
          ),
        ),
      ),
    );
  }

  function tenderLabel(tender) {
    if (tender.method === "card") {
      return format(t.card_ending, { last4: tender.card.number.slice(-4) });
    }
    if (tender.method === "other") {
      return tender.reference ? `${t.other} · ${tender.reference}` : t.other;
    }
    return t.cash;
  }

  function renderQuickAmounts(s) {
    const amounts = money.quickAmounts(Math.max(s.cashLeft, 0));
    fill(
      $("#quick-amounts"),
      amounts.map((units, index) =>
        h(
          "button",
          {
            type: "button",
            class: index === 0 ? "quick quick-exact" : "quick",
            onclick: () => {
              fields.tendered.value = money.toApi(units);
              hideError();
              render();
              submit.focus();
            },
          },
          index === 0 ? h("span", { class: "quick-label" }, t.exact) : null,
          money.text(units),
        ),
      ),
    );
  }

  function renderChange(s) {
    const box = $("#change-box");
    const label = $("#change-label");
    const amount = $("#change-amount");
    const typed = fields.tendered.value.trim();
    const tendered = typed ? money.fromInput(typed) : null;
    box.classList.remove("is-short", "is-change");
    if (typed && tendered === null) {
      label.textContent = t.change_due;
      amount.textContent = "—";
      return;
    }
    if (tendered === null || s.cashLeft <= 0) {
      label.textContent = t.change_due;
      amount.textContent = money.text(0);
      return;
    }
    if (tendered < s.cashLeft) {
      box.classList.add("is-short");
      label.textContent = t.still_due;
      amount.textContent = money.text(s.cashLeft - tendered);
    } else {
      box.classList.add("is-change");
      label.textContent = t.change_due;
      amount.textContent = money.text(tendered - s.cashLeft);
    }
  }

  function selectMethod(next) {
    method = next;
    for (const button of $$(".segmented [data-method]", dialog)) {
      button.setAttribute("aria-pressed", String(button.dataset.method === next));
    }
    for (const pane of $$("[data-pane]", dialog)) pane.hidden = pane.dataset.pane !== next;
    const s = totals();
    if (next === "card" && !fields.cardAmount.value) {
      fields.cardAmount.value = money.toApi(Math.max(s.left, 0));
    }
    if (next === "other" && !fields.otherAmount.value) {
      fields.otherAmount.value = money.toApi(Math.max(s.left, 0));
    }
    hideError();
    render();
  }

  function focusPane() {
    const target = { cash: fields.tendered, card: fields.cardNumber, other: fields.otherAmount }[
      method
    ];
    target.focus();
  }

  // --------------------------------------------------------------- reading the form

  /** The tender being typed in the visible pane, or null when the pane is empty. */
  function paneTender({ forCompletion }) {
    const s = totals();
    if (method === "cash") {
      const typed = fields.tendered.value.trim();
      if (!typed) {
        // Complete sale with an empty field: the customer handed over the exact amount.
        return forCompletion && s.cashLeft > 0 ? { method: "cash", units: s.cashLeft } : null;
      }
      const units = money.fromInput(typed);
      if (units === null || units <= 0) throw new Error(t.invalid_amount);
      return { method: "cash", units };
    }
    if (method === "card") {
      const number = fields.cardNumber.value.replace(/[\s-]/g, "");
      const anyCardField =
        number || fields.expMonth.value || fields.expYear.value || fields.cvc.value;
      if (!anyCardField) return null;
      const month = Number.parseInt(fields.expMonth.value, 10);
      let year = Number.parseInt(fields.expYear.value, 10);
      const cvc = fields.cvc.value.trim();
      if (!/^\d{12,19}$/.test(number) || !month || !year || !/^\d{3,4}$/.test(cvc)) {
        throw new Error(t.card_incomplete);
      }
      if (year < 100) year += 2000;
      const units = amountField(fields.cardAmount, s.left);
      return { method: "card", units, card: { number, exp_month: month, exp_year: year, cvc } };
    }
    const typed = fields.otherAmount.value.trim();
    if (!typed) return null;
    return {
      method: "other",
      units: amountField(fields.otherAmount, s.left),
      reference: fields.reference.value.trim(),
    };
  }

  function amountField(input, left) {
    const units = input.value.trim() ? money.fromInput(input.value) : left;
    if (units === null || units <= 0) throw new Error(t.invalid_amount);
    if (units > left) throw new Error(format(t.amount_too_high, { amount: money.text(left) }));
    return units;
  }

  function clearPane() {
    if (method === "cash") fields.tendered.value = "";
    if (method === "card") {
      for (const f of [fields.cardAmount, fields.cardNumber, fields.expMonth, fields.expYear, fields.cvc]) {
        f.value = "";
      }
    }
    if (method === "other") fields.otherAmount.value = fields.reference.value = "";
  }

  function onAddTender() {
    hideError();
    let tender;
    try {
      tender = paneTender({ forCompletion: false });
    } catch (error) {
      showError(error.message);
      return;
    }
    if (!tender) {
      focusPane();
      return;
    }
    const s = totals();
    if (tender.method === "cash" && tender.units >= s.cashLeft) {
      // Enough cash for the rest: that is the last payment, not a part payment.
      complete();
      return;
    }
    if (s.left <= 0) {
      showError(t.nothing_due);
      return;
    }
    tenders.push(tender);
    clearPane();
    selectMethod(totals().left > 0 ? (tender.method === "cash" ? "card" : "cash") : method);
    focusPane();
  }

  // --------------------------------------------------------------- paying

  async function complete() {
    if (inFlight) return; // a double-click or a held Enter: the first request is on its way
    hideError();
    let payments;
    try {
      const current = paneTender({ forCompletion: true });
      payments = current ? [...tenders, current] : [...tenders];
    } catch (error) {
      showError(error.message);
      return;
    }
    const s = totals();
    const nonCash = sum(payments.filter((x) => x.method !== "cash"));
    const cash = sum(payments.filter((x) => x.method === "cash"));
    const cashNeeded = s.total - nonCash > 0 ? money.roundCash(s.total - nonCash) : 0;
    if (!payments.length || nonCash + cash < s.total || (cash && cash < cashNeeded)) {
      const short = Math.max(cashNeeded - cash, s.total - nonCash - cash, 0);
      showError(format(t.short, { amount: money.text(short) }));
      return;
    }
    const body = {
      payments: payments.map((p) => {
        const out = { method: p.method, amount: money.toApi(p.units) };
        if (p.card) out.card = p.card;
        if (p.method === "other" && p.reference) out.reference = p.reference;
        return out;
      }),
    };
    const cart = getCart();
    const fingerprint = JSON.stringify([cart.id, cart.total.amount, body.payments]);
    if (!attempt || attempt.fingerprint !== fingerprint) {
      attempt = { key: newIdempotencyKey(), fingerprint };
    }
    body.idempotency_key = attempt.key;
    setBusy(true);
    try {
      // Offline the sale is priced and queued in the browser (offline.js); it syncs later.
      const { data } = cart.offline
        ? { data: await sendOffline(body.payments) }
        : await api.post(`${urls.carts}${cart.id}/checkout/`, body);
      attempt = null;
      tenders = [];
      for (const f of Object.values(fields)) f.value = "";
      dialog.close();
      onPaid(data);
    } catch (error) {
      if (!onError(error)) showError(error.message);
    } finally {
      setBusy(false);
    }
  }

  function setBusy(busy) {
    inFlight = busy;
    submit.disabled = busy;
    addTender.disabled = busy;
    form.setAttribute("aria-busy", String(busy));
    submit.textContent = busy ? t.processing : t.complete_sale;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function hideError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
  }

  // --------------------------------------------------------------- wiring

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    complete();
  });
  addTender.addEventListener("click", onAddTender);
  for (const button of $$(".segmented [data-method]", dialog)) {
    button.addEventListener("click", () => {
      selectMethod(button.dataset.method);
      focusPane();
    });
  }
  for (const input of Object.values(fields)) {
    input.addEventListener("input", () => {
      hideError();
      render();
    });
  }
  fields.cardNumber.addEventListener("input", () => {
    // Groups of four, as printed on the card; the API strips the spaces again.
    const digits = fields.cardNumber.value.replace(/\D/g, "").slice(0, 19);
    const grouped = digits.replace(/(\d{4})(?=\d)/g, "$1 ");
    if (grouped !== fields.cardNumber.value) fields.cardNumber.value = grouped;
  });
  dialog.addEventListener("cancel", (event) => {
    if (inFlight) event.preventDefault(); // keep the dialog while the payment is being sent
  });
  dialog.addEventListener("close", () => {
    // Card details live only in this dialog's fields, and only while it is open.
    fields.cardNumber.value = fields.cvc.value = "";
    tenders = tenders.filter((x) => x.method !== "card");
  });

  return {
    open() {
      tenders = [];
      for (const f of Object.values(fields)) f.value = "";
      hideError();
      setBusy(false);
      selectMethod("cash");
      dialog.showModal();
      focusPane();
    },
    isOpen: () => dialog.open,
  };
}
