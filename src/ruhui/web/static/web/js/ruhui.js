/*
 * 入会 (Ruhui) — the little behaviour the workspace needs, no framework.
 * Loaded with `defer` from a static file, so it works under CSP `script-src 'self'`:
 * templates carry no inline scripts and no on* attributes.
 *
 * 1. Mobile navigation: the 菜单 button (.nav-toggle) opens and closes the left navigation.
 * 2. data-confirm="…" on a form, a button or a link asks window.confirm() first;
 *    on "取消" nothing is submitted, followed or sent by htmx.
 */
(function () {
  "use strict";

  var NAV_OPEN = "nav-open";

  function toggles() {
    return document.querySelectorAll(".nav-toggle");
  }

  function setNav(open) {
    document.body.classList.toggle(NAV_OPEN, open);
    toggles().forEach(function (button) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    if (open) {
      var first = document.querySelector("#sidenav a");
      if (first) first.focus({ preventScroll: true });
    }
  }

  function navIsOpen() {
    return document.body.classList.contains(NAV_OPEN);
  }

  /* ---- 1. mobile navigation ---- */
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;

    if (target.closest(".nav-toggle")) {
      setNav(!navIsOpen());
      return;
    }
    // A tap outside the open drawer (on the dimmed page) closes it.
    if (navIsOpen() && !target.closest("#sidenav")) {
      setNav(false);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && navIsOpen()) {
      setNav(false);
      var toggle = document.querySelector(".nav-toggle");
      if (toggle) toggle.focus();
    }
  });

  // Leaving phone width with the drawer open must not leave the page dimmed.
  if (window.matchMedia) {
    var wide = window.matchMedia("(min-width: 769px)");
    var onChange = function (query) {
      if (query.matches && navIsOpen()) setNav(false);
    };
    if (wide.addEventListener) wide.addEventListener("change", onChange);
    else if (wide.addListener) wide.addListener(onChange);
  }

  /* ---- 2. data-confirm ---- */
  var HTMX_VERBS = ["hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete",
    "data-hx-get", "data-hx-post", "data-hx-put", "data-hx-patch", "data-hx-delete"];

  function hasHtmxRequest(element) {
    return HTMX_VERBS.some(function (name) { return element.hasAttribute(name); });
  }

  function refuse(event) {
    event.preventDefault();
    // Capture phase on document: stopping here keeps the event from reaching htmx.
    event.stopPropagation();
    event.stopImmediatePropagation();
  }

  // Forms: ask on submit, so Enter in a field is covered too. The submitting
  // button's own data-confirm wins over the form's.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) ||
      form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) refuse(event);
  }, true);

  // Links and buttons that do not submit a form (including htmx-driven buttons).
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var element = target.closest("[data-confirm]");
    if (!element || element instanceof HTMLFormElement) return;

    var submitsForm = (element instanceof HTMLButtonElement || element instanceof HTMLInputElement) &&
      element.type === "submit" && element.form && !hasHtmxRequest(element);
    if (submitsForm) return; // handled by the submit listener above

    if (!window.confirm(element.getAttribute("data-confirm"))) refuse(event);
  }, true);
})();
