(function () {
  "use strict";
  var KEYS = ["pair", "year", "status"];
  var state = { pair: "", year: "", status: "" };

  function all(selector) {
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }

  function show(el, on) {
    if (on) { el.removeAttribute("hidden"); } else { el.setAttribute("hidden", ""); }
  }

  function matches(el) {
    return KEYS.every(function (k) {
      return !state[k] || el.getAttribute("data-" + k) === state[k];
    });
  }

  // "#pair=joe-biden_vladimir-putin&year=2021&status=held"; a plain "#call-..." jump is not a filter
  function fromHash() {
    var hash = decodeURIComponent(location.hash.replace(/^#/, ""));
    if (hash.indexOf("=") < 0) { return false; }
    var next = { pair: "", year: "", status: "" };
    hash.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      var key = kv.slice(0, i);
      if (i > 0 && KEYS.indexOf(key) >= 0) { next[key] = kv.slice(i + 1); }
    });
    state = next;
    return true;
  }

  function toHash() {
    var parts = KEYS.filter(function (k) { return state[k]; }).map(function (k) {
      return k + "=" + encodeURIComponent(state[k]);
    });
    var target = parts.length ? "#" + parts.join("&") : location.pathname + location.search;
    try { history.replaceState(null, "", target); } catch (e) { /* some viewers forbid it */ }
  }

  function restack() {
    var chart = document.getElementById("months-chart");
    if (!chart) { return; }
    var base = parseFloat(chart.getAttribute("data-base"));
    var unit = parseFloat(chart.getAttribute("data-unit"));
    all("#months-chart g[data-month]").forEach(function (g) {
      var y = base;
      Array.prototype.forEach.call(g.querySelectorAll("rect[data-seg]"), function (r) {
        var on = matches(r);
        show(r, on);
        if (!on) { return; }
        var h = parseFloat(r.getAttribute("data-n")) * unit;
        y -= h;
        r.setAttribute("y", y.toFixed(1));
        r.setAttribute("height", h.toFixed(1));
      });
    });
  }

  function apply() {
    var cards = all("[data-call]");
    var shown = 0;
    cards.forEach(function (el) {
      var on = matches(el);
      show(el, on);
      if (on) { shown += 1; }
    });
    all("[data-marker]").forEach(function (el) { show(el, matches(el)); });
    all("section.pair").forEach(function (sec) {
      show(sec, sec.querySelector("[data-call]:not([hidden])") !== null);
    });
    all("[data-lane]").forEach(function (lane) {
      lane.classList.toggle("dim-lane", !!state.pair && lane.getAttribute("data-lane") !== state.pair);
    });
    restack();
    var pair = document.getElementById("f-pair");
    var year = document.getElementById("f-year");
    if (pair) { pair.value = state.pair; }
    if (year) { year.value = state.year; }
    all("[data-set-status]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-set-status") === state.status));
    });
    var out = document.getElementById("shown");
    if (out) { out.textContent = shown + " of " + cards.length + " calls"; }
    var none = document.getElementById("none-shown");
    if (none) { show(none, shown === 0 && cards.length > 0); }
    document.body.setAttribute("data-filtered", KEYS.some(function (k) { return state[k]; }) ? "yes" : "no");
  }

  function set(key, value) {
    state[key] = value;
    apply();
    toHash();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var pair = document.getElementById("f-pair");
    var year = document.getElementById("f-year");
    if (pair) { pair.addEventListener("change", function () { set("pair", pair.value); }); }
    if (year) { year.addEventListener("change", function () { set("year", year.value); }); }
    all("[data-set-status]").forEach(function (b) {
      b.addEventListener("click", function () { set("status", b.getAttribute("data-set-status")); });
    });
    var form = document.getElementById("filters");
    if (form) { form.addEventListener("submit", function (e) { e.preventDefault(); }); }
    window.addEventListener("hashchange", function () { if (fromHash()) { apply(); } });
    fromHash();
    apply();
  });
})();
