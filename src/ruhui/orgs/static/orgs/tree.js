/*
 * The organization tree (orgs:tree): open and close branches in place.
 *
 * Without JS every branch has a link that opens the tree page at it. With JS (and htmx) the
 * toggle buttons are shown and those links hidden; a collapsed branch's children are fetched
 * once, the first time it opens, from its data-children-url (orgs:children, an HTML fragment)
 * with an htmx request, and swapped into the branch's <ul>. aria-expanded says the state.
 */
(function () {
  "use strict";
  if (!window.htmx) return; // keep the links: they work without scripts

  var LOADING = "正在加载下级组织…";
  var FAILED = "下级组织加载失败。";
  var RETRY = "在新页面中打开";

  function enhance(root) {
    document.querySelectorAll(".tree").forEach(function (tree) {
      tree.classList.add("tree-enhanced"); // leaves make room for the toggles' column
    });
    root.querySelectorAll(".tree-toggle[hidden]").forEach(function (button) {
      button.hidden = false;
    });
    root.querySelectorAll(".tree-open").forEach(function (link) {
      link.hidden = true;
    });
  }

  function status(list, text, href) {
    var item = document.createElement("li");
    item.className = "tree-status";
    item.textContent = text;
    if (href) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = RETRY;
      item.appendChild(document.createTextNode(" "));
      item.appendChild(link);
      item.setAttribute("role", "alert");
    }
    list.replaceChildren(item);
  }

  function load(button, list) {
    var url = button.getAttribute("data-children-url");
    button.setAttribute("data-state", "loading");
    list.setAttribute("aria-busy", "true");
    status(list, LOADING);
    htmx.ajax("GET", url, { source: button, target: list, swap: "innerHTML" });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var button = target.closest(".tree-toggle");
    if (!button) return;
    var list = document.getElementById(button.getAttribute("aria-controls"));
    if (!list) return;
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    list.hidden = !open;
    var state = button.getAttribute("data-state");
    if (open && button.hasAttribute("data-children-url") && state !== "loading" && state !== "loaded") {
      load(button, list);
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.detail && event.detail.elt;
    if (!(button instanceof Element) || !button.classList.contains("tree-toggle")) return;
    var list = document.getElementById(button.getAttribute("aria-controls"));
    if (list) list.removeAttribute("aria-busy");
    if (event.detail.successful) {
      button.setAttribute("data-state", "loaded");
    } else {
      button.removeAttribute("data-state"); // the next opening tries again
      if (list) {
        var link = button.parentElement.querySelector(".tree-open a");
        status(list, FAILED, link ? link.href : button.getAttribute("data-children-url"));
      }
    }
  });

  htmx.onLoad(enhance);
})();
