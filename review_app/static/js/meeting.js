// 整体评分: each section's running total (not-applicable criteria left out, the rest rescaled to
// the section maximum, as review_app/scoring/aggregate.py does) and the weighted total on the
// 100-point scale of the sections filled in so far.
(function () {
  "use strict";
  var form = document.getElementById("meeting-score-form");
  if (!form) { return; }
  var out = document.getElementById("meeting-total");
  function update() {
    var weighted = 0, weights = 0, missing = false;
    form.querySelectorAll(".meeting-section").forEach(function (section) {
      var points = 0, maxima = 0, empty = false;
      section.querySelectorAll("input.criterion").forEach(function (input) {
        var row = input.closest(".criterion-row");
        var na = row && row.querySelector("input.na");
        if (na && na.checked) { input.disabled = true; return; }
        if (!form.dataset.locked && !section.querySelector(".tag-ok")) { input.disabled = false; }
        var max = parseFloat(input.getAttribute("data-max"));
        var value = parseFloat(input.value);
        maxima += max;
        if (isNaN(value)) { empty = true; } else { points += Math.min(Math.max(value, 0), max); }
      });
      var label = section.querySelector(".section-total");
      var sectionMax = parseFloat(section.getAttribute("data-section-max"));
      var weight = parseFloat(section.getAttribute("data-weight"));
      if (maxima === 0) { label.textContent = "全部不适用"; return; }
      var total = points * sectionMax / maxima;
      label.textContent = total.toFixed(1) + (empty ? "（未填完）" : "");
      if (empty) { missing = true; }
      weighted += weight * total / sectionMax;
      weights += weight;
    });
    out.textContent = weights ? weighted.toFixed(1) + " / " + weights.toFixed(0) + (missing ? "（未填完）" : "") : "—";
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
