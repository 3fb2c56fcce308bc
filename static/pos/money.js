// Amounts as integers of the currency's minor unit (cents), never floating-point money.
// The server computes every total; the register only adds up what the cashier types
// (tendered cash, split payments) to show the change before it asks the server.

export function createMoney({ currency, locale, currency_places: places, cash_rounding }) {
  const scale = 10 ** places;
  let formatter;
  try {
    formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
  } catch {
    formatter = new Intl.NumberFormat("en", { style: "currency", currency });
  }
  const decimalSign = (formatter.formatToParts(1.5).find((p) => p.type === "decimal") || {})
    .value;

  /** "12.50" (the API's decimal string) → 1250 */
  function fromApi(text) {
    const parsed = parse(String(text));
    if (parsed === null) throw new Error(`Bad amount from the server: ${text}`);
    return parsed;
  }

  /** What a cashier typed ("20", "20.5", "20,50" in a comma locale) → minor units, or null. */
  function fromInput(text) {
    let value = String(text).trim().replace(/[\s\u00a0\u202f]/g, "");
    // Drop a currency sign typed or pasted along with the number.
    value = value.replace(/^[^\d.,-]+|[^\d.,]+$/g, "");
    if (!value) return null;
    if (decimalSign === "," && value.includes(",")) {
      value = value.replace(/\./g, "").replace(",", ".");
    } else {
      value = value.replace(/,/g, "");
    }
    return parse(value);
  }

  function parse(value) {
    const match = value.match(/^(-)?(\d*)(?:\.(\d*))?$/);
    if (!match || (match[2] === "" && !match[3])) return null;
    const fraction = match[3] || "";
    if (fraction.length > places) {
      if (/[^0]/.test(fraction.slice(places))) return null; // more decimals than the currency
    }
    const minor = (fraction + "0".repeat(places)).slice(0, places);
    const units = Number(match[2] || "0") * scale + Number(minor || "0");
    if (!Number.isSafeInteger(units)) return null;
    return match[1] ? -units : units;
  }

  /** 1250 → "12.50" (what the API accepts) */
  function toApi(units) {
    const sign = units < 0 ? "-" : "";
    const abs = Math.abs(units);
    if (!places) return `${sign}${abs}`;
    const whole = Math.floor(abs / scale);
    const fraction = String(abs % scale).padStart(places, "0");
    return `${sign}${whole}.${fraction}`;
  }

  /** 1250 → "$12.50" in the store's locale. Formats the decimal string: exact, no float. */
  function text(units) {
    return formatter.format(toApi(units));
  }

  const cashStep = Math.max(1, fromApi(cash_rounding || "0"));

  /** Cash rounding, half-up to the smallest coin (as the server does for cash tenders). */
  function roundCash(units) {
    if (cashStep <= 1) return units;
    return Math.floor((units + Math.floor(cashStep / 2)) / cashStep) * cashStep;
  }

  /** Exact amount, then the next round notes above it: 12.35 → 12.35, 13, 15, 20, 50. */
  function quickAmounts(due) {
    if (due <= 0) return [];
    const amounts = [due];
    for (const step of [1, 5, 10, 20, 50, 100]) {
      const stepUnits = step * scale;
      const next = Math.ceil(due / stepUnits) * stepUnits;
      if (next !== due && !amounts.includes(next) && amounts.length < 5) amounts.push(next);
    }
    return amounts.sort((a, b) => a - b).slice(0, 5);
  }

  return { fromApi, fromInput, toApi, text, roundCash, quickAmounts, places };
}
