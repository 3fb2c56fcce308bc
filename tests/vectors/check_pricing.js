// Compares the JavaScript pricing with the Python results stored in the vectors; shared by the
// Node runner and the Chromium test so both check exactly the same thing.
export function checkVectors(pricing, vectors) {
  const failures = [];
  const attempt = (stage, fn) => {
    try {
      return { value: fn() };
    } catch (error) {
      if (!(error instanceof pricing.PricingError)) {
        return { error: { stage, code: "crash", message: String(error), key: null } };
      }
      return { error: { stage, code: error.code, message: error.message, key: error.key } };
    }
  };
  for (const vector of vectors) {
    const actual = {};
    const rules = attempt("rules", () => pricing.pricingRules(vector.rules));
    if (rules.error) actual.error = rules.error;
    else {
      const cart = attempt("price", () =>
        pricing.priceCart(vector.lines, vector.rules, vector.cart_discount),
      );
      if (cart.error) actual.error = cart.error;
      else {
        actual.cart = cart.value;
        const settlement = attempt("settle", () =>
          pricing.settleTenders(cart.value.total, vector.tenders, vector.rules),
        );
        if (settlement.error) actual.error = settlement.error;
        else actual.settlement = settlement.value;
        actual.cash_due = pricing.cashDue(cart.value.total, vector.rules);
      }
    }
    const want = JSON.stringify(sortKeys(vector.expected));
    const got = JSON.stringify(sortKeys(actual));
    if (want !== got) failures.push({ id: vector.id, expected: want, actual: got });
  }
  return { checked: vectors.length, failures: failures.slice(0, 5), failed: failures.length };
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}
