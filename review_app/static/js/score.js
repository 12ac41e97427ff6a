// Running section total as the expert types: not-applicable criteria are left out and the
// rest rescaled to the section maximum (the same rule as review_app/scoring/aggregate.py).
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
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
