// The cashier's shift: the register asks for the opening float before the first payment, and
// shows the X report / closes the shift with the counted cash (Z report).
import { $, h, fill, format } from "./dom.js";

export function createShift({ api, money, t, urls, locale, getRegisterId, toast, report }) {
  const button = $("#shift-button");
  const openDialog = $("#shift-dialog");
  const openForm = $("#shift-form");
  const floatInput = $("#opening-float");
  const openError = $("#shift-error");
  const reportDialog = $("#shift-report-dialog");
  const closeForm = $("#close-shift-form");
  const countedInput = $("#counted-cash");
  const closeError = $("#close-shift-error");
  // undefined: this server has no shifts (or they could not be read): never block selling.
  let shift;

  async function load() {
    try {
      shift = (await api.get(`${urls.shifts}current/`)).data;
    } catch (error) {
      if (error.kind === "session") throw error;
      shift = error.code === "no_open_shift" ? null : undefined;
    }
    render();
    return shift;
  }

  function render() {
    button.hidden = shift === undefined;
    button.classList.toggle("needs-attention", shift === null);
    $("#shift-label").textContent = shift ? t.shift : t.open_shift;
  }

  function askForFloat(message = "") {
    if (reportDialog.open) reportDialog.close();
    floatInput.value = "";
    showError(openError, message);
    if (!openDialog.open) openDialog.showModal();
    floatInput.focus();
  }

  async function openShift(event) {
    event.preventDefault();
    const units = money.fromInput(floatInput.value);
    if (units === null || units < 0) {
      showError(openError, t.invalid_amount);
      return;
    }
    showError(openError, "");
    try {
      const { data } = await api.post(urls.shifts, {
        register: getRegisterId(),
        opening_float: money.toApi(units),
      });
      shift = data;
      render();
      openDialog.close();
      toast(format(t.shift_opened, { amount: money.text(units) }), "ok");
    } catch (error) {
      if (error.code === "shift_already_open") {
        // Someone else's shift is open on this register: sales join it, nothing to open.
        openDialog.close();
        toast(error.message, "info");
        return;
      }
      showError(openError, error.message);
      if (error.kind === "session") report(error);
    }
  }

  async function showReport() {
    if (!shift) {
      askForFloat();
      return;
    }
    showError(closeError, "");
    $("#close-shift-fields").hidden = false;
    $("#close-shift-submit").hidden = false;
    $("#cash-button").hidden = false;
    $("#shift-closed-note").hidden = true;
    countedInput.value = "";
    fill($("#shift-summary"), h("div", { class: "report-row" }, h("dt", {}, t.loading)));
    reportDialog.showModal();
    try {
      const { data } = await api.get(`${urls.shifts}${shift.shift}/report/`);
      renderReport(data);
    } catch (error) {
      showError(closeError, error.message);
      renderReport(shift);
    }
    countedInput.focus();
  }

  function reportLinks(id) {
    const links = $("#shift-report-links");
    links.hidden = !id || !urls.shift_report;
    if (links.hidden) return;
    $("#shift-report-html").href = format(urls.shift_report, { id });
    $("#shift-report-pdf").href = format(urls.shift_report_pdf, { id });
  }

  function renderReport(data) {
    reportLinks(data.shift);
    const amount = (value) => (value && value.formatted) || "";
    const isZero = (value) => !value || money.fromApi(value.amount) === 0;
    const rows = [
      [t.opened_at, formatTime(data.opened_at)],
      [t.sales_count, String(data.sales_count)],
      [t.sales_total, amount(data.sales_total)],
    ];
    if (data.refunds_count) rows.push([t.refunds, amount(data.refunds)]);
    for (const tender of data.tenders || []) {
      rows.push([t[tender.method] || tender.method, amount(tender.net)]);
    }
    rows.push([t.opening_float, amount(data.opening_float)]);
    if (!isZero(data.paid_in)) rows.push([t.paid_in, amount(data.paid_in)]);
    if (!isZero(data.paid_out)) rows.push([t.paid_out, amount(data.paid_out)]);
    rows.push([t.expected_cash, amount(data.expected_cash), "report-strong"]);
    if (data.counted_cash) {
      rows.push([t.counted_cash, amount(data.counted_cash), "report-strong"]);
      const difference = money.fromApi(data.over_short.amount);
      const kind = difference < 0 ? "report-short" : difference > 0 ? "report-over" : "";
      rows.push([t.over_short, amount(data.over_short), `report-strong ${kind}`]);
    }
    fill(
      $("#shift-summary"),
      rows.map(([label, value, extra]) =>
        h("div", { class: `report-row ${extra || ""}`.trim() }, h("dt", {}, label), h("dd", {}, value)),
      ),
    );
  }

  function formatTime(iso) {
    if (!iso) return "";
    try {
      return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(
        new Date(iso),
      );
    } catch {
      return iso;
    }
  }

  async function closeShift(event) {
    event.preventDefault();
    const units = money.fromInput(countedInput.value);
    if (units === null || units < 0) {
      showError(closeError, t.invalid_amount);
      return;
    }
    showError(closeError, "");
    const submit = $("#close-shift-submit");
    submit.disabled = true;
    try {
      const { data } = await api.post(`${urls.shifts}${shift.shift}/close/`, {
        counted_cash: money.toApi(units),
      });
      shift = null;
      render();
      renderReport(data);
      $("#close-shift-fields").hidden = true;
      submit.hidden = true;
      $("#cash-button").hidden = true;
      $("#shift-closed-note").hidden = false;
    } catch (error) {
      showError(closeError, error.message);
      if (error.kind === "session") report(error);
    } finally {
      submit.disabled = false;
    }
  }

  function showError(box, message) {
    box.textContent = message;
    box.hidden = !message;
  }

  // --------------------------------------------------------------- cash in / out

  const cashDialog = $("#cash-dialog");
  const cashForm = $("#cash-form");
  const cashAmount = $("#cash-amount");
  const cashReason = $("#cash-reason");
  const cashError = $("#cash-error");

  function askForCash() {
    if (!shift) {
      askForFloat();
      return;
    }
    if (reportDialog.open) reportDialog.close();
    cashForm.reset();
    cashLabel();
    showError(cashError, "");
    cashDialog.showModal();
    cashAmount.focus();
  }

  async function recordCash(event) {
    event.preventDefault();
    const units = money.fromInput(cashAmount.value);
    if (units === null || units <= 0) {
      showError(cashError, t.invalid_amount);
      cashAmount.focus();
      return;
    }
    const reason = cashReason.value.trim();
    if (!reason) {
      showError(cashError, t.reason_required);
      cashReason.focus();
      return;
    }
    const kind = cashForm.elements.kind.value;
    const submit = $("#cash-submit");
    submit.disabled = true;
    showError(cashError, "");
    try {
      await api.post(`${urls.shifts}${shift.shift}/cash-movements/`, {
        kind,
        amount: money.toApi(units),
        reason,
      });
      cashDialog.close();
      toast(format(kind === "pay_in" ? t.cash_in_done : t.cash_out_done, { amount: money.text(units) }), "ok");
      showReport(); // the expected cash in the drawer has changed
    } catch (error) {
      showError(cashError, error.message);
      if (error.kind === "session") report(error);
    } finally {
      submit.disabled = false;
    }
  }

  function cashLabel() {
    const kind = cashForm.elements.kind.value;
    $("#cash-submit").textContent = kind === "pay_in" ? t.record_cash_in : t.record_cash_out;
  }

  openForm.addEventListener("submit", openShift);
  cashForm.addEventListener("submit", recordCash);
  cashForm.addEventListener("change", cashLabel);
  $("#cash-button").addEventListener("click", askForCash);
  closeForm.addEventListener("submit", closeShift);
  button.addEventListener("click", showReport);

  return {
    load,
    askForFloat,
    get current() {
      return shift;
    },
  };
}
