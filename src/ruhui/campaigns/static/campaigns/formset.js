// 添加一行 for the campaign form's tables (phases, milestones, 分工): a copy of the formset's
// empty form, numbered as the next form, counted in TOTAL_FORMS. No inline script (CSP).
(function () {
  "use strict";
  document.querySelectorAll("[data-formset]").forEach(function (section) {
    var prefix = section.getAttribute("data-formset");
    var total = section.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var template = section.querySelector("template[data-formset-empty]");
    var rows = section.querySelector("[data-formset-rows]");
    var add = section.querySelector("[data-formset-add]");
    if (!total || !template || !rows || !add) { return; }
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = Number(total.value);
      var holder = document.createElement("tbody");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
  });
})();
