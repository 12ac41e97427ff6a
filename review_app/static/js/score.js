// Running section total as the expert types: not-applicable criteria are left out and the
// rest rescaled to the section maximum (the same rule as review_app/scoring/aggregate.py).
//
// What the expert types is also kept in this browser (localStorage, keyed by user and
// assignment, with the version of the review the form was loaded with), so a post refused
// because the session expired loses nothing: after signing in again the page loads with the
// same version and the typed values come back. Once the server has saved the draft (a new
// version) or the review is submitted (locked), the kept copy is dropped.
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  if (!form) { return; }
  var out = document.getElementById("running-total");
  var sectionMax = parseFloat(form.getAttribute("data-section-max"));
  function update() {
    var points = 0, maxima = 0, missing = false;
    form.querySelectorAll("input.criterion").forEach(function (input) {
      var row = input.closest(".criterion-row");
      var na = row && row.querySelector("input.na");
      if (na && na.checked) { input.disabled = true; return; }
      if (!form.dataset.locked) { input.disabled = false; }
      var max = parseFloat(input.getAttribute("data-max"));
      var value = parseFloat(input.value);
      maxima += max;
      if (isNaN(value)) { missing = true; } else { points += Math.min(Math.max(value, 0), max); }
    });
    if (maxima === 0) { out.textContent = "全部不适用"; return; }
    var total = points * sectionMax / maxima;
    out.textContent = total.toFixed(1) + (missing ? "（未填完）" : "");
  }

  var key = form.getAttribute("data-draft-key");
  var versionInput = form.querySelector("input[name=version]");
  var version = versionInput ? versionInput.value : "";
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }
  function fields() { return form.querySelectorAll("input.criterion, input.na, textarea"); }
  function keep() {
    var values = {};
    fields().forEach(function (el) { values[el.name] = el.type === "checkbox" ? el.checked : el.value; });
    try { store.setItem(key, JSON.stringify({ version: version, values: values })); } catch (e) { /* full or denied */ }
  }
  function restore() {
    var kept = null;
    try { kept = JSON.parse(store.getItem(key) || "null"); } catch (e) { kept = null; }
    if (!kept || kept.version !== version || !kept.values) {
      store.removeItem(key);  // the server has a newer copy (saved or submitted)
      return;
    }
    var changed = false;
    fields().forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(kept.values, el.name)) { return; }
      var value = kept.values[el.name];
      if (el.type === "checkbox") {
        if (el.checked !== !!value) { el.checked = !!value; changed = true; }
      } else if (el.value !== String(value)) {
        el.value = String(value); changed = true;
      }
    });
    var notice = document.getElementById("draft-restored");
    if (changed && notice) { notice.hidden = false; }
  }
  if (store && key) {
    if (form.dataset.locked) {
      store.removeItem(key);
    } else {
      restore();
      form.addEventListener("input", keep);
      form.addEventListener("change", keep);
    }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
