// Polls a job's status while it runs; reloads the page when it ends.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-job-status-url");
  var bar = box.querySelector(".progress-bar");
  var text = box.querySelector(".progress-text");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.finished) { window.location.reload(); return; }
        var p = data.progress || {};
        if (text) { text.textContent = data.label + "：已处理 " + (p.done || 0) + " 行"; }
        if (bar && p.total) { bar.value = Math.min(100, Math.round(100 * p.done / p.total)); }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
