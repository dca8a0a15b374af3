/* Crossing: the business case form's live totals and return, as the person types.
 *
 * The same formulas as initiatives/business_cases/figures.py (the one place they are defined;
 * this is their copy for the browser, checked against it by
 * tests/browser/test_journey_business_case.py), computed exactly: every figure is read as a
 * whole number of cents (BigInt), never as a float, and rounded half up (away from zero) at
 * the same points as Python's Decimal. Figures are read as FigureField reads them
 * (initiatives/business_cases/forms.py): 120000, 120,000 and 120 000 alike.
 *
 * Without this script the form works as before; the server shows the figures once saved.
 */
(function () {
  "use strict";

  var FIGURES = [
    "revenue_protected", "costs_reduced", "capacity_hours", "hourly_rate", "risk_mitigated",
    "build_cost", "infrastructure_cost", "team_fte", "cost_per_fte", "operational_overhead"
  ];
  // Groups of three separated by one kind of separator (comma, space, no-break, thin or
  // narrow no-break space), an optional decimal point; no sign, no exponent.
  var FIGURE = /^(?:\d+|\d{1,3}([, \u00a0\u2009\u202f])\d{3}(?:\1\d{3})*)?(?:\.\d+)?$/;

  /* A typed figure as a BigInt of hundredths; 0n when empty; null when it cannot be read
   * (the server will say why on save). */
  function readFigure(text) {
    var value = String(text == null ? "" : text).trim();
    if (value === "" || value === ".") { return value === "" ? 0n : null; }
    if (!FIGURE.test(value)) { return null; }
    var parts = value.replace(/[, \u00a0\u2009\u202f]/g, "").split(".");
    var fraction = parts[1] || "";
    if (fraction.length > 2) { return null; }  // the server takes cents at most
    return BigInt((parts[0] || "0") + (fraction + "00").slice(0, 2));
  }

  /* n ÷ d rounded half up, away from zero (Python's ROUND_HALF_UP). */
  function divideRounded(n, d) {
    var negative = (n < 0n) !== (d < 0n);
    var a = n < 0n ? -n : n;
    var b = d < 0n ? -d : d;
    var q = (2n * a + b) / (2n * b);
    return negative ? -q : q;
  }

  /* figures.derive(): inputs in hundredths; results as {value, negative} in the unit each
   * is shown in (cents, tenths of a month, ten-thousandths), or null where Python gives None. */
  function derive(v) {
    // Sums at 1/10 000 (hundredths × hundredths), exact, as Decimal keeps them.
    var benefit = (v.revenue_protected + v.costs_reduced + v.risk_mitigated) * 100n +
      v.capacity_hours * v.hourly_rate;
    var run = (v.infrastructure_cost + v.operational_overhead) * 100n + v.team_fte * v.cost_per_fte;
    var build = v.build_cost * 100n;
    var net = benefit - run;
    var spent = build + 3n * run;
    var gain = 3n * benefit - spent;
    function signed(value, raw) { return { value: value, negative: raw < 0n }; }
    return {
      total_annual_benefit: signed(divideRounded(benefit, 100n), benefit),
      annual_run_cost: signed(divideRounded(run, 100n), run),
      net_annual_benefit: signed(divideRounded(net, 100n), net),
      payback_months: net > 0n ? signed(divideRounded(build * 120n, net), 1n) : null,
      roi_3y: spent !== 0n ? signed(divideRounded(gain * 10000n, spent), gain) : null
    };
  }

  function grouped(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  /* A whole number of 10^-places units as Python prints the Decimal (a "-0.00" included). */
  function decimalText(figure, places, group) {
    var a = figure.value < 0n ? -figure.value : figure.value;
    var text = a.toString().padStart(places + 1, "0");
    var whole = text.slice(0, text.length - places);
    var sign = figure.negative ? "-" : "";
    return sign + (group ? grouped(whole) : whole) + (places ? "." + text.slice(-places) : "");
  }

  /* Money as initiatives/core/formats.money writes it: the currency, then whole units
   * rounded half up from the exact cents, with thousands separators ("EUR 1,250,000"). */
  function money(figure, currency) {
    var whole = { value: divideRounded(figure.value, 100n), negative: figure.negative };
    return currency + " " + decimalText(whole, 0, true);
  }

  /* The words the server's templates use: the `money` and `percent` filters. */
  function describe(figures, currency) {
    var roi = figures.roi_3y;
    return {
      total_annual_benefit: money(figures.total_annual_benefit, currency),
      annual_run_cost: money(figures.annual_run_cost, currency),
      net_annual_benefit: money(figures.net_annual_benefit, currency),
      payback_months: figures.payback_months === null ? "none (no net benefit)"
        : decimalText(figures.payback_months, 1, false) + " months",
      roi_3y: roi === null ? "—"
        : decimalText({ value: divideRounded(roi.value, 10n), negative: roi.negative }, 1, false) + " %"
    };
  }

  // For the test that holds this copy to figures.py, and for anyone checking by hand.
  window.caseFigures = { readFigure: readFigure, derive: derive, describe: describe };

  var form = document.querySelector("form[data-case-form]");
  if (!form) { return; }
  var panel = form.querySelector(".case-figures");
  var state = document.getElementById("case-figures-state");
  var currency = form.elements.currency;

  function show() {
    var values = {};
    var readable = FIGURES.every(function (name) {
      values[name] = form.elements[name] ? readFigure(form.elements[name].value) : 0n;
      return values[name] !== null;
    });
    var figures = readable ? derive(values) : null;
    var words = figures ? describe(figures, currency.value) : null;
    panel.querySelectorAll("[data-figure-out]").forEach(function (out) {
      var name = out.getAttribute("data-figure-out");
      out.textContent = words ? words[name] : "—";
      if (name === "net_annual_benefit") {
        // As the server: a loss is marked, a net of exactly nothing is not.
        out.classList.toggle("bad", !!figures && figures.net_annual_benefit.value < 0n);
      }
    });
    state.textContent = readable ? "As you type; not saved yet."
      : "Shown once every figure above reads as a number (e.g. 120000 or 120,000).";
  }

  function showCurrency() {
    form.querySelectorAll("[data-currency-unit]").forEach(function (unit) {
      unit.textContent = currency.value;
    });
  }

  form.addEventListener("input", function (event) {
    if (event.target.hasAttribute("data-figure")) { show(); }
  });
  currency.addEventListener("change", function () { showCurrency(); show(); });
  // The server's figures of a saved draft stay until the person changes something.
  if (!panel.hasAttribute("data-saved")) { show(); }
})();
