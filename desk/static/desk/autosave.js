/* Autosave: what an editor types is kept on the server, per editor and per form, and
 * offered back when they return without having saved (desk/autosave.py).
 *
 * Reads #desk-autosave (data-url, data-key, data-kept-at). While the form differs from
 * what it opened with, its fields are sent a few seconds after typing stops, and every
 * half-minute while typing goes on; when the server refuses to keep them (too large,
 * too many forms kept), what it says is shown under the form. When something is kept,
 * a note above the form says when, with Restore and Discard. A static file, as the CSP
 * requires.
 */
(function () {
  "use strict";

  var QUIET_MS = 3000;
  var AT_LEAST_EVERY_MS = 30000;

  function fieldsOf(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string") return; // files are not kept
      if (name in fields) {
        if (!Array.isArray(fields[name])) fields[name] = [fields[name]];
        fields[name].push(value);
      } else {
        fields[name] = value;
      }
    });
    return fields;
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(config, form, data) {
    var body = new URLSearchParams();
    body.set("key", config.key);
    Object.keys(data).forEach(function (name) { body.set(name, data[name]); });
    return fetch(config.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(form) },
      body: body,
    });
  }

  function setValue(form, name, value) {
    var values = Array.isArray(value) ? value : [value];
    var fields = form.querySelectorAll("[name='" + CSS.escape(name) + "']");
    fields.forEach(function (field) {
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.indexOf(field.value) !== -1;
      } else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
        if (field.multiple && values.length) {
          // Autocomplete widgets only list the options they were rendered with.
          values.forEach(function (v) {
            if (!field.querySelector("option[value='" + CSS.escape(v) + "']")) {
              field.add(new Option(v, v, true, true));
            }
          });
        }
      } else if (field.type !== "file" && field.type !== "submit") {
        field.value = values[0];
      }
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function offer(config, form) {
    var note = document.createElement("div");
    note.className = "desk-autosave-offer";
    note.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent =
      "You have changes to this form that were kept at " + config.keptAt +
      " but not saved.";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button default";
    restore.textContent = "Restore them";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button";
    discard.textContent = "Discard them";
    note.append(text, restore, " ", discard);
    form.parentNode.insertBefore(note, form);

    restore.addEventListener("click", function () {
      fetch(config.url + "?key=" + encodeURIComponent(config.key), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (kept) {
          if (!kept.fields) throw new Error("nothing kept");
          Object.keys(kept.fields).forEach(function (name) {
            setValue(form, name, kept.fields[name]);
          });
          // Typed over that version: a save since then is caught as a conflict.
          if (kept.loaded_version) setValue(form, "loaded_version", kept.loaded_version);
          text.textContent = "Restored the changes kept at " + config.keptAt +
            ". Save to keep them.";
          restore.remove();
          discard.remove();
        })
        .catch(function () { text.textContent = "The kept changes could not be restored."; });
    });
    discard.addEventListener("click", function () {
      post(config, form, { discard: "1" }).then(function () { note.remove(); });
    });
  }

  function start() {
    var element = document.getElementById("desk-autosave");
    var form = document.querySelector("#content-main form[id$='_form'][method='post']");
    if (!element || !form) return;
    var config = {
      url: element.getAttribute("data-url"),
      key: element.getAttribute("data-key"),
      keptAt: element.getAttribute("data-kept-at"),
    };
    if (config.keptAt) offer(config, form);

    var opened = JSON.stringify(fieldsOf(form));
    var last = opened;
    var quiet = null;
    var lastSent = Date.now();
    var status = document.createElement("p");
    status.className = "desk-autosave-status";
    status.setAttribute("aria-live", "polite");
    form.appendChild(status);

    function send() {
      quiet = null;
      var fields = fieldsOf(form);
      var now = JSON.stringify(fields);
      if (now === last || now === opened) return;
      lastSent = Date.now();
      post(config, form, { fields: now }).then(function (response) {
        if (response.ok) {
          last = now;
          status.textContent = "Changes kept (not saved yet) at " +
            new Date().toLocaleTimeString("en-GB") + " (your clock).";
          return;
        }
        // Refused (too large, too many forms kept): the server says why.
        return response.json().then(function (refused) {
          status.textContent =
            refused.error || "Could not keep your changes on the server: save soon.";
        });
      }).catch(function () {
        status.textContent = "Could not keep your changes on the server: save soon.";
      });
    }

    function typed() {
      if (quiet) clearTimeout(quiet);
      if (Date.now() - lastSent > AT_LEAST_EVERY_MS) send();
      else quiet = setTimeout(send, QUIET_MS);
    }
    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
  }

  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
