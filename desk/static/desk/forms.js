/* The desk's forms keep what an editor typed.
 *
 * - Leaving a changed form (a link, Back, closing the tab) asks first. "Changed" means
 *   the form would post something other than what it held when it opened; a page shown
 *   again after a refused save counts as changed, since nothing on it is saved yet.
 * - A text area with data-max-length refuses to be sent when it is longer, with a
 *   message right under it, where its text ends, scrolled into view and focused (so it
 *   is read out); the text stays where it is (maxlength would cut a paste short
 *   without a word). The form refuses it too, for browsers without this script.
 *
 * - Ctrl+S (Cmd+S on a Mac) saves and stays on the form ("Save and continue editing"),
 *   from any field, the body included; not while a picker or dialog is open over the
 *   form (its own keys come first), and never the browser's "Save page as".
 *
 * Loaded on every desk page (admin/base_site.html); a static file, as the CSP requires.
 */
(function () {
  "use strict";

  function snapshot(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") return;
      fields.push([name, typeof value === "string" ? value : value.name + ":" + value.size]);
    });
    return JSON.stringify(fields);
  }

  function tooLong(form) {
    var fields = form.querySelectorAll("textarea[data-max-length]");
    for (var i = 0; i < fields.length; i++) {
      var limit = parseInt(fields[i].getAttribute("data-max-length"), 10);
      if (fields[i].value.length > limit) return { field: fields[i], limit: limit };
    }
    return null;
  }

  // Right under the text box, where a long text ends and the editor is looking (the
  // admin's own place for errors, above the field, is a whole text away). In the live
  // preview's grid the note spans the columns, below the pane when it sits beside.
  function placeBelow(list, field) {
    field.insertAdjacentElement("afterend", list);
    var grid = field.parentNode;
    if (window.getComputedStyle(grid).display !== "grid") return;
    var columns = window.getComputedStyle(grid).gridTemplateColumns.split(" ").length;
    list.style.gridColumn = "1 / -1";
    list.style.order = columns > 1 ? "1" : "";
  }

  function sayTooLong(found) {
    var id = found.field.id + "-too-long";
    var item = document.getElementById(id);
    if (!item) {
      var list = document.createElement("ul");
      list.className = "errorlist desk-too-long";
      list.setAttribute("role", "alert");
      list.tabIndex = -1;
      item = document.createElement("li");
      item.id = id;
      list.appendChild(item);
      var described = found.field.getAttribute("aria-describedby");
      found.field.setAttribute("aria-describedby", described ? described + " " + id : id);
      found.field.setAttribute("aria-invalid", "true");
    }
    placeBelow(item.parentNode, found.field);
    item.textContent =
      "Not sent: this text is " + found.field.value.length.toLocaleString("en") +
      " characters long, and it can hold up to " + found.limit.toLocaleString("en") +
      ". Your text is still here: split it or cut it, then save again.";
    item.parentNode.scrollIntoView({ block: "center" });
    item.parentNode.focus({ preventScroll: true });
  }

  function watch(form) {
    var opened = snapshot(form);
    var refusedBefore = document.querySelector(".errornote, .errorlist") !== null;
    var leaving = false;

    form.addEventListener("submit", function (event) {
      var found = tooLong(form);
      if (found) {
        event.preventDefault();
        sayTooLong(found);
        return;
      }
      // A preview opens in another tab: this page stays, with its changes unsaved.
      var submitter = event.submitter;
      if (!(submitter && submitter.getAttribute("formtarget") === "_blank")) leaving = true;
    });

    window.addEventListener("beforeunload", function (event) {
      if (leaving) return;
      if (refusedBefore || snapshot(form) !== opened) {
        event.preventDefault();
        event.returnValue = ""; // older browsers ask only when this is set
      }
    });
  }

  // Something open over the form that the keyboard is working in: the [[ picker, a
  // dialog (a picture's alt text), the admin's calendar or clock.
  function somethingOpenOver() {
    var open = document.querySelectorAll(
      ".book-picker:not([hidden]), dialog[open], [aria-modal='true'], .calendarbox, .clockbox"
    );
    return Array.prototype.some.call(open, function (element) {
      return element.getClientRects().length > 0; // shown, not display: none
    });
  }

  function saveWithKeys(form) {
    var stay = form.querySelector("[type=submit][name=_continue]");
    if (!stay) return; // a form to look at, not to save
    var sentAt = 0;
    document.addEventListener("keydown", function (event) {
      if (event.key.toLowerCase() !== "s" || !(event.ctrlKey || event.metaKey)) return;
      if (event.altKey || event.shiftKey) return;
      event.preventDefault();
      if (event.repeat || somethingOpenOver()) return;
      // A second press while the first save is on its way would post the form twice.
      if (Date.now() - sentAt < 3000) return;
      sentAt = Date.now();
      form.requestSubmit(stay); // as the button would: the other scripts see the submit
    });
  }

  function start() {
    var form = document.querySelector("#content-main form[id$='_form'][method='post']");
    if (form) {
      watch(form);
      saveWithKeys(form);
    }
  }

  // After other scripts (slugs filled from titles, autocompletes) have set their fields.
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
