/* The desk's forms keep what an editor typed.
 *
 * - Leaving a changed form (a link, Back, closing the tab) asks first. "Changed" means
 *   the form would post something other than what it held when it opened; a page shown
 *   again after a refused save counts as changed, since nothing on it is saved yet.
 * - A text area with data-max-length refuses to be sent when it is longer, with a
 *   message beside it; the text stays where it is (maxlength would cut a paste short
 *   without a word). The form refuses it too, for browsers without this script.
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

  function sayTooLong(found) {
    var id = found.field.id + "-too-long";
    var note = document.getElementById(id);
    if (!note) {
      // Where the admin puts a field's own errors: above the field's row.
      note = document.createElement("ul");
      note.className = "errorlist";
      note.setAttribute("role", "alert");
      var item = document.createElement("li");
      item.id = id;
      note.appendChild(item);
      var row = found.field.closest(".flex-container") || found.field;
      row.parentNode.insertBefore(note, row);
      var described = found.field.getAttribute("aria-describedby");
      found.field.setAttribute("aria-describedby", described ? described + " " + id : id);
      note = item;
    }
    note.textContent =
      "Not sent: this text is " + found.field.value.length.toLocaleString("en") +
      " characters long, and it can hold up to " + found.limit.toLocaleString("en") +
      ". Your text is still here: split it or cut it, then save again.";
    found.field.focus();
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

  function start() {
    var form = document.querySelector("#content-main form[id$='_form'][method='post']");
    if (form) watch(form);
  }

  // After other scripts (slugs filled from titles, autocompletes) have set their fields.
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
