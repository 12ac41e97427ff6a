// Running section total as the expert types: not-applicable criteria are left out and the
// rest rescaled to the section maximum (the same rule as review_app/scoring/aggregate.py).
//
// What the expert types is also kept in this browser (localStorage, keyed by user and
// assignment, with the version of the review the form was loaded with), so a post refused
// because the session expired loses nothing: after signing in again the page loads with the
// same version and the typed values come back. Drafts are also saved on the server every 30 s
// and when the page is left (below); the form works the same without this script. Once the server has saved the draft (a new
// version) or the review is submitted (locked), the kept copy is dropped.
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  if (!form) { return; }
  var out = document.getElementById("running-total");
  var sectionMax = parseFloat(form.getAttribute("data-section-max"));
  function update() {
    var points = 0, maxima = 0, missing = false, outside = false;
    form.querySelectorAll("input.criterion").forEach(function (input) {
      var row = input.closest(".criterion-row");
      var na = row && row.querySelector("input.na");
      if (na && na.checked) { input.disabled = true; return; }
      if (!form.dataset.locked) { input.disabled = false; }
      var max = parseFloat(input.getAttribute("data-max"));
      var value = parseFloat(input.value);
      maxima += max;
      if (isNaN(value)) { missing = true; } else if (value < 0 || value > max) { outside = true; } else { points += value; }
    });
    if (outside) { out.textContent = "有分值超出范围，请改正"; return; }  // never capped silently
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

  // Autosave: every 30 s while something changed, and when the page is left or hidden, the
  // same post as 保存草稿 (with the form's CSRF token), answered with the new version.
  var autosaveUrl = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var dirty = false, saving = false;
  function autosave(leaving) {
    if (!dirty || saving || form.dataset.locked || !autosaveUrl || !window.fetch) { return; }
    var data = new FormData(form);
    data.set("action", "save");
    saving = true; dirty = false;
    fetch(autosaveUrl, {
      method: "POST", body: data, credentials: "same-origin", keepalive: !!leaving,
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      saving = false;
      if (result.ok && result.body.version !== undefined) {
        version = String(result.body.version);
        if (versionInput) { versionInput.value = version; }
        if (store && key) { keep(); }
        if (status) { status.textContent = result.body.message + "（" + new Date().toLocaleTimeString("zh-CN") + "）"; }
      } else {
        dirty = true;
        if (status) { status.textContent = result.body.error || "自动保存未成功。"; }
      }
    }).catch(function () {
      saving = false; dirty = true;
      if (status) { status.textContent = "自动保存未成功（网络不通），输入的内容仍保留在本浏览器中。"; }
    });
  }
  if (!form.dataset.locked) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.setInterval(function () { autosave(false); }, 30000);
    window.addEventListener("pagehide", function () { autosave(true); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { autosave(true); }
    });
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
