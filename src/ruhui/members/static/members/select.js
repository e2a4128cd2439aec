/*
 * 全选本页: a header checkbox with data-select-all="<name>" ticks or clears every enabled
 * checkbox of that name in its form, and shows whether all, some or none are ticked. It is
 * hidden in the page and shown here, so without scripts each row is simply ticked by hand.
 */
(function () {
  "use strict";

  function boxes(master) {
    var form = master.form;
    var name = master.getAttribute("data-select-all");
    if (!form) return [];
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.type === "checkbox" && el.name === name && !el.disabled;
    });
  }

  function sync(master) {
    var all = boxes(master);
    var ticked = all.filter(function (el) { return el.checked; }).length;
    master.checked = all.length > 0 && ticked === all.length;
    master.indeterminate = ticked > 0 && ticked < all.length;
  }

  var masters = document.querySelectorAll("input[type=checkbox][data-select-all]");
  masters.forEach(function (master) {
    master.hidden = false;
    sync(master);
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "checkbox") return;
    if (target.hasAttribute("data-select-all")) {
      boxes(target).forEach(function (el) { el.checked = target.checked; });
      return;
    }
    masters.forEach(function (master) {
      if (master.form === target.form && master.getAttribute("data-select-all") === target.name) {
        sync(master);
      }
    });
  });
})();
