/* Names for the inputs the admin's own scripts draw without one, so that a screen reader
 * says what each is for: the autocompletes' search fields (select2 draws them, inline in
 * a many-to-many box or in the dropdown of a single choice, and draws them again as the
 * choices change), named "Search <the field's label>".
 *
 * Loaded on every desk page (admin/base_site.html); a static file, as the CSP requires.
 */
(function () {
  "use strict";

  function labelOf(selectId) {
    var label = selectId && document.querySelector("label[for='" + CSS.escape(selectId) + "']");
    return label ? label.textContent.replace(/[:\s]+$/, "").trim() : "";
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
