/* Autosave: what an editor types is kept, per editor and per form, and offered back
 * when they return without having saved.
 *
 * - On the server (desk/autosave.py): while the form differs from what it opened with,
 *   its fields are sent a few seconds after typing stops, and every half-minute while
 *   typing goes on; when the server refuses to keep them (too large, too many forms
 *   kept), what it says is shown under the form.
 * - In this browser (localStorage), at every change, under the editor's id and the
 *   form's key: what was typed in the last seconds before a tab closed or the browser
 *   crashed, which the server never got. Cleared by the page a successful save leads to
 *   (it carries the success message), and by Discard.
 *
 * When the form opens, the newest copy is offered in a note above it, with Restore and
 * Discard: the browser's copy when it is newer than the saved object and than the
 * server's copy (else it is dropped: what it holds is saved or kept on the server).
 *
 * Reads #desk-autosave (data-url, data-key, data-user, data-kept-at, data-kept-at-iso,
 * data-saved-at-iso, data-offers-copies). Loaded on every desk page: any page may be
 * the one a save led to. A static file, as the CSP requires.
 */
(function () {
  "use strict";

  var QUIET_MS = 3000;
  var AT_LEAST_EVERY_MS = 30000;
  var COPY_AFTER_MS = 200; // the browser's copy: at most this long after a change
  var COPY_PREFIX = "colophon.typed:"; // + user id + ":" + form key
  var SAVING = "colophon.saving"; // sessionStorage: the copy a submitted form may clear
  var COPY_DAYS = 30; // copies of forms never opened again are dropped after this

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

  // localStorage refuses in private windows, or when full: the server's copy remains.
  var browserStorage = {
    read: function (storage, key) {
      try {
        return JSON.parse(storage.getItem(key));
      } catch (error) {
        return null;
      }
    },
    write: function (storage, key, value) {
      try {
        storage.setItem(key, JSON.stringify(value));
        return true;
      } catch (error) {
        return false;
      }
    },
    remove: function (storage, key) {
      try {
        storage.removeItem(key);
      } catch (error) {
        // Nothing kept, nothing to remove.
      }
    },
  };

  // Copies of forms not opened for COPY_DAYS: the object is gone or long saved.
  function dropOldCopies() {
    var limit = Date.now() - COPY_DAYS * 24 * 3600 * 1000;
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(COPY_PREFIX) === 0) {
          var copy = browserStorage.read(window.localStorage, key);
          if (!copy || !(copy.typedAt > limit)) window.localStorage.removeItem(key);
        }
      }
    } catch (error) {
      // Storage refused: nothing kept there either.
    }
  }

  // The page a submitted form led to: a success message means it was saved, and its
  // browser copy goes; a refused save shows the form again, and the copy stays.
  function clearSavedCopy() {
    var saving = browserStorage.read(window.sessionStorage, SAVING);
    if (!saving) return;
    browserStorage.remove(window.sessionStorage, SAVING);
    if (document.querySelector(".messagelist .success")) {
      browserStorage.remove(window.localStorage, saving.copy);
    }
  }

  function timeOfDay(moment) {
    var when = new Date(moment);
    var time = when.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    if (when.toDateString() === new Date().toDateString()) return time;
    return when.toLocaleDateString("en-GB", { day: "numeric", month: "short" }) + ", " + time;
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

  function restoreFields(form, kept) {
    Object.keys(kept.fields).forEach(function (name) {
      setValue(form, name, kept.fields[name]);
    });
    // Typed over that version: a save since then is caught as a conflict.
    if (kept.loaded_version) setValue(form, "loaded_version", kept.loaded_version);
  }

  // A note above the form: `words` says what is offered; `restore` and `discard` return
  // promises; `restored` is what the note says once restored.
  function offerNote(form, words, labels, restore, discard, restored) {
    var note = document.createElement("div");
    note.className = "desk-autosave-offer";
    note.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = words;
    var restoreButton = document.createElement("button");
    restoreButton.type = "button";
    restoreButton.className = "button default";
    restoreButton.textContent = labels[0];
    var discardButton = document.createElement("button");
    discardButton.type = "button";
    discardButton.className = "button";
    discardButton.textContent = labels[1];
    note.append(text, restoreButton, " ", discardButton);
    form.parentNode.insertBefore(note, form);

    restoreButton.addEventListener("click", function () {
      restore()
        .then(function () {
          text.textContent = restored;
          restoreButton.remove();
          discardButton.remove();
        })
        .catch(function () { text.textContent = "The kept changes could not be restored."; });
    });
    discardButton.addEventListener("click", function () {
      discard().then(function () { note.remove(); });
    });
    return note;
  }

  function offerServerCopy(config, form) {
    offerNote(
      form,
      "You have changes to this form that were kept at " + config.keptAt + " but not saved.",
      ["Restore them", "Discard them"],
      function () {
        return fetch(config.url + "?key=" + encodeURIComponent(config.key), {
          credentials: "same-origin",
        })
          .then(function (response) { return response.json(); })
          .then(function (kept) {
            if (!kept.fields) throw new Error("nothing kept");
            restoreFields(form, kept);
          });
      },
      function () { return post(config, form, { discard: "1" }); },
      "Restored the changes kept at " + config.keptAt + ". Save to keep them."
    );
  }

  function offerBrowserCopy(config, form, copy) {
    var at = timeOfDay(copy.typedAt);
    offerNote(
      form,
      "This browser kept what you typed in this form at " + at + ", after it was last " +
        "saved; it is not saved.",
      ["Restore what you typed at " + at + " (not saved)", "Discard"],
      function () {
        restoreFields(form, copy);
        return Promise.resolve();
      },
      function () {
        browserStorage.remove(window.localStorage, config.copyKey);
        // The server's older copy holds part of the same words: it goes too.
        return config.keptAt ? post(config, form, { discard: "1" }) : Promise.resolve();
      },
      "Restored what you typed at " + at + ". Save to keep it."
    );
  }

  // Which copy the form offers as it opens, if any (see the top of this file).
  function offerNewest(config, form, opened) {
    var copy = browserStorage.read(window.localStorage, config.copyKey);
    var keptAt = Date.parse(config.keptAtIso) || 0;
    var savedAt = Date.parse(config.savedAtIso) || 0;
    var newest =
      copy && copy.fields && copy.typedAt > keptAt && copy.typedAt > savedAt &&
      JSON.stringify(copy.fields) !== JSON.stringify(withoutBookkeeping(opened));
    if (newest) {
      offerBrowserCopy(config, form, copy);
      return;
    }
    if (copy) browserStorage.remove(window.localStorage, config.copyKey);
    if (config.keptAt) offerServerCopy(config, form);
  }

  // The fields as the server keeps them: not the form's own bookkeeping (NOT_KEPT in
  // desk/autosave.py), which the copy holds apart (loaded_version).
  var NOT_KEPT = [
    "csrfmiddlewaretoken", "loaded_version", "_save", "_continue", "_addanother",
    "kept_over_version", "take_theirs",
  ];
  function withoutBookkeeping(fields) {
    var kept = {};
    Object.keys(fields).forEach(function (name) {
      if (NOT_KEPT.indexOf(name) === -1) kept[name] = fields[name];
    });
    return kept;
  }

  function start() {
    clearSavedCopy();
    var element = document.getElementById("desk-autosave");
    var form = document.querySelector("#content-main form[id$='_form'][method='post']");
    if (!element || !form) return;
    var config = {
      url: element.getAttribute("data-url"),
      key: element.getAttribute("data-key"),
      keptAt: element.getAttribute("data-kept-at"),
      keptAtIso: element.getAttribute("data-kept-at-iso"),
      savedAtIso: element.getAttribute("data-saved-at-iso"),
      copyKey: COPY_PREFIX + element.getAttribute("data-user") + ":" +
        element.getAttribute("data-key"),
    };
    var openedFields = fieldsOf(form);
    if (element.hasAttribute("data-offers-copies")) offerNewest(config, form, openedFields);
    dropOldCopies();

    var opened = JSON.stringify(openedFields);
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

    // The browser's copy, written soon after every change (and as the page goes away).
    var copyTimer = null;
    var copyRefused = false;
    var lastCopied = opened;
    function copyInBrowser() {
      window.clearTimeout(copyTimer);
      copyTimer = null;
      var fields = fieldsOf(form);
      var now = JSON.stringify(fields);
      // Unchanged (a "change" as a field loses the focus): the copy keeps its time.
      if (now === lastCopied) return;
      lastCopied = now;
      var copied = browserStorage.write(window.localStorage, config.copyKey, {
        fields: withoutBookkeeping(fields),
        loaded_version: fields.loaded_version || "",
        typedAt: Date.now(),
      });
      if (!copied && !copyRefused) {
        status.textContent = "This browser could not keep a copy of your changes (its " +
          "storage is full or switched off): save soon.";
      }
      copyRefused = !copied;
    }

    function typed() {
      if (copyTimer === null) copyTimer = window.setTimeout(copyInBrowser, COPY_AFTER_MS);
      if (quiet) clearTimeout(quiet);
      if (Date.now() - lastSent > AT_LEAST_EVERY_MS) send();
      else quiet = setTimeout(send, QUIET_MS);
    }
    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    window.addEventListener("pagehide", function () {
      if (copyTimer !== null) copyInBrowser();
    });
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.getAttribute("formtarget") === "_blank") return; // a preview
      if (event.defaultPrevented) return; // refused before it left (forms.js: too long)
      if (copyTimer !== null) copyInBrowser();
      browserStorage.write(window.sessionStorage, SAVING, { copy: config.copyKey });
    });
  }

  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
