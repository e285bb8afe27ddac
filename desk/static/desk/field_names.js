/* Names for the inputs the admin's own scripts draw without one, so that a screen reader
 * says what each is for: the autocompletes' search fields (select2 draws them, inline in
 * a many-to-many box or in the dropdown of a single choice, and draws them again as the
 * choices change), named "Search <the field's label>"; and a single choice's box, which
 * select2 names by the choice shown, so nothing while none is chosen: the field's label
 * names it first.
 *
 * Loaded on every desk page (admin/base_site.html); a static file, as the CSP requires.
 */
(function () {
  "use strict";

  function labelElement(selectId) {
    return selectId ? document.querySelector("label[for='" + CSS.escape(selectId) + "']") : null;
  }

  function labelOf(selectId) {
    var label = labelElement(selectId);
    return label ? label.textContent.replace(/[:\s]+$/, "").trim() : "";
  }

  function nameChoiceBox(box) {
    var container = box.closest(".select2-container");
    var select = container && container.previousElementSibling;
    var label = select && select.tagName === "SELECT" ? labelElement(select.id) : null;
    if (!label) return;
    if (!label.id) label.id = select.id + "-label";
    var ids = (box.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
    if (ids.indexOf(label.id) === -1) {
      box.setAttribute("aria-labelledby", [label.id].concat(ids).join(" "));
    }
    var shown = box.querySelector(".select2-selection__rendered");
    if (shown && !shown.hasAttribute("aria-label")) {
      shown.setAttribute("aria-label", labelOf(select.id));
    }
  }

  // The select an autocomplete's search field stands for: the one its box follows, or
  // the one whose results list its dropdown shows ("select2-<id>-results").
  function selectIdOf(field) {
    var box = field.closest(".select2-container");
    var before = box && box.previousElementSibling;
    if (before && before.tagName === "SELECT") return before.id;
    var results = field.closest(".select2-dropdown");
    var list = results && results.querySelector("[id^='select2-'][id$='-results']");
    var controls = field.getAttribute("aria-controls") || (list && list.id) || "";
    var match = /^select2-(.+)-results$/.exec(controls);
    return match ? match[1] : "";
  }

  function name(root) {
    root.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (field) {
      var label = labelOf(selectIdOf(field));
      field.setAttribute("aria-label", label ? "Search " + label : "Search");
    });
    root.querySelectorAll(".select2-selection--single[role=combobox]").forEach(nameChoiceBox);
  }

  function start() {
    name(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType === Node.ELEMENT_NODE) name(node.parentNode || node);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
