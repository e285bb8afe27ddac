/* A picture dropped or pasted into an article's body goes into the pictures library and
 * into the text: a small dialog asks first for its alt text (or that it is decorative),
 * and a caption and credit if any; the picture is then sent to the library's upload
 * (images/admin_upload.py: POST file, alt, decorative, caption, credit, licence; JSON
 * back) and its [[image:ID]] line goes in where the caret was, as a line of its own.
 * What the library refuses (not a picture, too large) is said in the dialog, in words.
 *
 * Configured by #picture-drop-config (data-target: the body's id; data-url: the upload).
 * A static file, as the CSP requires.
 */
(function () {
  "use strict";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function pictures(transfer) {
    if (!transfer || !transfer.files) return [];
    return Array.prototype.filter.call(transfer.files, function (file) {
      return /^image\//.test(file.type);
    });
  }

  function field(form, id, labelText, input, hint) {
    var row = element("div", "picture-drop__field");
    var label = element("label", "", labelText);
    label.htmlFor = id;
    input.id = id;
    row.append(label, input);
    if (hint) {
      var help = element("p", "picture-drop__hint", hint);
      help.id = id + "-hint";
      input.setAttribute("aria-describedby", help.id);
      row.append(help);
    }
    form.append(row);
    return input;
  }

  function attach(textarea, url) {
    var form = textarea.form;
    var dialog = element("dialog", "picture-drop");
    dialog.setAttribute("aria-labelledby", "picture-drop-heading");
    var heading = element("h2", "", "Describe the picture");
    heading.id = "picture-drop-heading";
    var named = element("p", "picture-drop__file");
    var fields = element("div");
    var alt = field(fields, "picture-drop-alt", "Alt text", element("textarea"),
      "What the picture shows, for readers who cannot see it.");
    alt.rows = 3;
    var decorative = element("input");
    decorative.type = "checkbox";
    var decorativeRow = element("div", "picture-drop__field picture-drop__field--check");
    var decorativeLabel = element("label", "",
      "Decorative: it adds nothing the text does not say (screen readers skip it)");
    decorative.id = "picture-drop-decorative";
    decorativeLabel.htmlFor = decorative.id;
    decorativeRow.append(decorative, decorativeLabel);
    fields.append(decorativeRow);
    var caption = field(fields, "picture-drop-caption", "Caption (optional)", element("input"));
    var credit = field(fields, "picture-drop-credit", "Credit (optional)", element("input"),
      "Who made it or holds it: “Photo: Jane Doe”.");
    var licence = field(fields, "picture-drop-licence", "Licence (optional)", element("input"));
    var error = element("p", "picture-drop__error");
    error.id = "picture-drop-error";
    error.setAttribute("role", "alert");
    var buttons = element("div", "picture-drop__buttons");
    var send = element("button", "button default", "Upload and insert");
    send.type = "button";
    var cancel = element("button", "button", "Cancel");
    cancel.type = "button";
    buttons.append(send, " ", cancel);
    dialog.append(heading, named, fields, error, buttons);
    // Outside the article form: its fields must not be posted with the article.
    document.body.appendChild(dialog);

    var status = element("p", "picture-drop__status");
    status.setAttribute("aria-live", "polite");
    // Beside the body: in the live preview's tool bar when there is one (a grid row).
    var tools = textarea.parentNode.querySelector(".live-preview-split__tools");
    if (tools) tools.insertBefore(status, tools.lastChild);
    else textarea.insertAdjacentElement("afterend", status);

    var waiting = []; // files dropped together: one dialog after another
    var current = null;
    var caret = 0;

    function csrfToken() {
      var input = form.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }

    // As typing would (Undo undoes it), and other scripts hear an input event.
    function insertLine(embed) {
      var value = textarea.value;
      var before = value.slice(0, caret);
      var after = value.slice(caret);
      var text = (before && before.slice(-1) !== "\n" ? "\n" : "") + embed;
      text += after.charAt(0) === "\n" ? "" : "\n";
      textarea.focus();
      textarea.setSelectionRange(caret, caret);
      var typed = false;
      try {
        typed = document.execCommand("insertText", false, text);
      } catch (ignored) {
        typed = false;
      }
      if (!typed || textarea.value.slice(caret, caret + text.length) !== text) {
        textarea.setRangeText(text, caret, caret);
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
      caret += text.length + (after.charAt(0) === "\n" ? 1 : 0);
      textarea.setSelectionRange(caret, caret);
    }

    function next() {
      current = waiting.shift() || null;
      if (!current) {
        if (dialog.open) dialog.close();
        textarea.focus();
        return;
      }
      named.textContent = "“" + current.name + "” (" +
        Math.max(1, Math.round(current.size / 1024)).toLocaleString("en") + " KB) goes into " +
        "the pictures library, and into the text where the caret is.";
      [alt, caption, credit, licence].forEach(function (input) { input.value = ""; });
      decorative.checked = false;
      error.textContent = "";
      alt.removeAttribute("aria-invalid");
      send.disabled = false;
      if (!dialog.open) dialog.showModal();
      alt.focus();
    }

    function offer(files) {
      if (!files.length) return false;
      if (!current) caret = textarea.selectionStart;
      waiting = waiting.concat(files);
      if (!current) next();
      return true;
    }

    send.addEventListener("click", function () {
      if (!alt.value.trim() && !decorative.checked) {
        error.textContent = "Describe the picture in its alt text, or tick “Decorative”.";
        alt.setAttribute("aria-invalid", "true");
        alt.focus();
        return;
      }
      var data = new FormData();
      data.append("file", current, current.name || "picture");
      data.append("alt", alt.value.trim());
      if (decorative.checked) data.append("decorative", "on");
      data.append("caption", caption.value);
      data.append("credit", credit.value);
      data.append("licence", licence.value);
      send.disabled = true;
      error.textContent = "";
      status.textContent = "Uploading “" + current.name + "”…";
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      })
        .then(function (response) {
          var isJson = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
          if (!isJson) throw new Error("are you still signed in? Open the desk in another tab");
          return response.json().then(function (answer) {
            if (!response.ok) throw new Error(answer.message || "error " + response.status);
            return answer;
          });
        })
        .then(function (answer) {
          insertLine(answer.embed);
          status.textContent = "“" + current.name + "” is in the library and in the text as " +
            answer.embed + (answer.status === "ready" ? "." : ": it shows once prepared.");
          next();
        })
        .catch(function (failure) {
          send.disabled = false;
          status.textContent = "";
          error.textContent = "Not uploaded: " + failure.message;
        });
    });

    // Words given: the refusal goes (a stale alert would say the opposite of the form).
    [alt, decorative].forEach(function (input) {
      input.addEventListener("input", function () {
        if (alt.value.trim() || decorative.checked) {
          error.textContent = "";
          alt.removeAttribute("aria-invalid");
        }
      });
    });

    function stop() {
      waiting = [];
      current = null;
      next();
    }
    cancel.addEventListener("click", stop);
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault(); // Escape: as Cancel, the text keeps its caret
      stop();
    });

    textarea.addEventListener("dragover", function (event) {
      var types = event.dataTransfer ? Array.prototype.slice.call(event.dataTransfer.types) : [];
      if (types.indexOf("Files") === -1) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      textarea.classList.add("picture-drop-target");
    });
    textarea.addEventListener("dragleave", function () {
      textarea.classList.remove("picture-drop-target");
    });
    textarea.addEventListener("drop", function (event) {
      textarea.classList.remove("picture-drop-target");
      if (offer(pictures(event.dataTransfer))) event.preventDefault();
    });
    textarea.addEventListener("paste", function (event) {
      if (offer(pictures(event.clipboardData))) event.preventDefault();
    });
  }

  var config = document.getElementById("picture-drop-config");
  var target = config && document.getElementById(config.dataset.target);
  if (target && target.tagName === "TEXTAREA" && config.dataset.url) {
    attach(target, config.dataset.url);
  }
})();
