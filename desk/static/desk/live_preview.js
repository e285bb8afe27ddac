// The article form's previews (articles/previews.py):
//
// - A live preview beside the body: ~400 ms after typing stops, the title, standfirst,
//   byline and body go to the desk, which answers them rendered as the public page
//   renders them (cards included, and a warning in place of a book readers would not
//   see). The HTML is written into an iframe whose document loads the public site's
//   stylesheet, so its styles and the admin's never mix. The iframe is `srcdoc`: it
//   inherits this page's Content-Security-Policy (stylesheets from 'self' pass), needs
//   no framing allowed on any response, and its document is kept between updates, so
//   the pane keeps its scroll position. Sandboxed without scripts: nothing in it runs.
// - "Copy a preview link": a signed address of the saved article for a reviewer
//   without an account, copied to the clipboard and shown to copy by hand.
//
// Configured by #live-preview-config and #preview-link-button in the change form.
(function () {
  "use strict";

  var DEBOUNCE_MS = 400;
  var BUSY_AFTER_MS = 500; // "Updating…" only when an update is slow to come
  var WIDE = "(min-width: 1280px)"; // beside the body from here; below it, under it
  var REMEMBERED = "colophon.live-preview"; // "open" or "closed", as the editor left it

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // The answer as JSON, or an error saying what went wrong in words.
  function readJson(response) {
    var isJson = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
    if (!isJson) {
      // A login page instead of JSON: the session has ended. A 403: no permission, or
      // a security token gone stale (signed in again elsewhere).
      throw new Error(
        response.status === 403
          ? "the desk refused it: copy your text somewhere safe, then reload this page"
          : "are you still signed in? Open the desk in another tab to check"
      );
    }
    return response.json().then(function (data) {
      if (!response.ok) {
        var refused = new Error(data.error || "error " + response.status);
        refused.status = response.status;
        throw refused;
      }
      return data;
    });
  }

  // The desk's words as a sentence of their own: "20 links … first" -> "20 links … first."
  function sentence(words) {
    var text = words.charAt(0).toUpperCase() + words.slice(1);
    return /[.!?]$/.test(text) ? text : text + ".";
  }

  function remembered() {
    try {
      return window.localStorage.getItem(REMEMBERED);
    } catch (error) {
      return null; // storage refused: fall back to the width
    }
  }

  function remember(open) {
    try {
      window.localStorage.setItem(REMEMBERED, open ? "open" : "closed");
    } catch (error) {
      // Nothing to do: the pane simply opens by width next time.
    }
  }

  function shellFor(stylesheets) {
    var links = stylesheets
      .map(function (href) {
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = href;
        return link.outerHTML;
      })
      .join("");
    // Links open in a new tab: the public pages refuse to be shown in a frame.
    return (
      '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">' +
      '<base target="_blank">' + links + "</head>" +
      '<body class="live-preview-page"><main class="site-main" id="preview"></main></body></html>'
    );
  }

  function livePreview(config) {
    var textarea = document.getElementById(config.dataset.target);
    if (!textarea || !textarea.form) return;
    var form = textarea.form;
    var fields = (config.dataset.fields || "")
      .split(" ")
      .map(function (id) {
        return document.getElementById(id);
      })
      .filter(Boolean);
    var limit = parseInt(textarea.getAttribute("data-max-length"), 10) || Infinity;
    var state = { open: false, timer: null, busyTimer: null, request: null, stale: true };

    // The body and the pane side by side (a grid; one column below WIDE).
    var split = element("div", "live-preview-split");
    textarea.parentNode.classList.add("live-preview-row");
    textarea.parentNode.insertBefore(split, textarea);
    var tools = element("div", "live-preview-split__tools");
    var toggle = element("button", "button live-preview-toggle");
    toggle.type = "button";
    toggle.setAttribute("aria-controls", "live-preview");
    tools.appendChild(toggle);
    var pane = element("section", "live-preview");
    pane.id = "live-preview";
    pane.setAttribute("aria-labelledby", "live-preview-heading");
    var bar = element("div", "live-preview__bar");
    var heading = element("h2", "live-preview__heading", "Preview");
    heading.id = "live-preview-heading";
    var status = element("p", "live-preview__status");
    // aria-live, not role=status: the form's one status is the book picker's.
    status.setAttribute("aria-live", "polite");
    status.setAttribute("aria-atomic", "true");
    bar.append(heading, status);
    var frame = element("iframe", "live-preview__frame");
    frame.title = "The article as readers will see it";
    frame.setAttribute("sandbox", "allow-same-origin allow-popups allow-popups-to-escape-sandbox");
    pane.append(bar, frame);
    split.append(tools, textarea, pane);

    var shellReady = false;
    var waiting = null; // HTML that arrived before the frame's document was ready
    frame.addEventListener("load", function () {
      shellReady = true;
      if (waiting !== null) show(waiting);
    });
    frame.srcdoc = shellFor((config.dataset.stylesheets || "").split(" ").filter(Boolean));

    function say(text) {
      if (status.textContent !== text) status.textContent = text; // announce changes only
    }

    function show(html) {
      var root = shellReady && frame.contentDocument.getElementById("preview");
      if (!root) {
        waiting = html;
        return;
      }
      waiting = null;
      root.innerHTML = html; // sanitised by the desk; and nothing runs in this frame
    }

    function summary(data) {
      var notes = [];
      if (data.unknown.length) {
        notes.push(
          data.unknown.length === 1
            ? "1 book reference matches no book."
            : data.unknown.length + " book references match no book."
        );
      }
      if (data.unpublished.length) {
        notes.push(
          data.unpublished.length === 1
            ? "1 book is not published: readers see no card for it."
            : data.unpublished.length + " books are not published: readers see no cards for them."
        );
      }
      return notes.length ? notes.join(" ") : "Up to date.";
    }

    function busy(on) {
      window.clearTimeout(state.busyTimer);
      pane.setAttribute("aria-busy", on ? "true" : "false");
      if (on) {
        state.busyTimer = window.setTimeout(say, BUSY_AFTER_MS, "Updating…");
      }
    }

    function refresh() {
      window.clearTimeout(state.timer);
      if (!state.open) {
        state.stale = true; // updated when the pane is shown again
        return;
      }
      state.stale = false;
      if (state.request) state.request.abort(); // a stale answer must not replace a newer one
      if (textarea.value.length > limit) {
        busy(false);
        say(
          "The preview stops here: the body is " + textarea.value.length.toLocaleString("en") +
          " characters long, and an article holds up to " + limit.toLocaleString("en") + "."
        );
        return;
      }
      var request = new AbortController();
      state.request = request;
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrfToken(form));
      data.append("body", textarea.value);
      fields.forEach(function (field) {
        data.append(field.name, field.value);
      });
      busy(true);
      fetch(config.dataset.url, {
        method: "POST",
        body: data,
        signal: request.signal,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(readJson)
        .then(function (answer) {
          if (state.request !== request) return;
          state.request = null;
          busy(false);
          show(answer.html);
          say(summary(answer));
        })
        .catch(function (error) {
          if (error.name === "AbortError" || state.request !== request) return;
          state.request = null;
          busy(false);
          say(
            "The preview could not be updated (" + error.message + "). Your text is " +
            "unchanged; the preview tries again as you type."
          );
        });
    }

    function schedule() {
      window.clearTimeout(state.timer);
      state.timer = window.setTimeout(refresh, DEBOUNCE_MS);
    }

    function setOpen(open) {
      state.open = open;
      split.classList.toggle("live-preview-split--open", open);
      pane.hidden = !open;
      toggle.textContent = open ? "Hide preview" : "Show preview";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open && state.stale) refresh();
      if (!open && state.request) {
        state.request.abort();
        state.request = null;
        busy(false);
        state.stale = true;
      }
    }

    toggle.addEventListener("click", function () {
      setOpen(!state.open);
      remember(state.open);
    });
    // The book picker fires "input" after inserting an embed, like typing does.
    [textarea].concat(fields).forEach(function (field) {
      field.addEventListener("input", schedule);
    });

    var choice = remembered();
    setOpen(choice ? choice === "open" : window.matchMedia(WIDE).matches);
  }

  function previewLink(button) {
    var form = button.form;
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    var output = element("input", "preview-link__url vTextField");
    output.type = "url";
    output.readOnly = true;
    output.id = "preview-link-url";
    output.setAttribute("aria-label", "Preview link");
    output.hidden = true;
    output.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // never submits the article form
    });
    button.insertAdjacentElement("afterend", output);

    function say(text) {
      status.textContent = text;
    }

    button.addEventListener("click", function () {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrfToken(form));
      button.disabled = true;
      say("Making a link…");
      fetch(button.dataset.url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(readJson)
        .then(function (answer) {
          output.value = answer.url;
          output.hidden = false;
          var valid =
            " Anyone with it can read the saved article, published or not, until " +
            answer.expires + ".";
          var copied = navigator.clipboard
            ? navigator.clipboard.writeText(answer.url)
            : Promise.reject(new Error("no clipboard"));
          return copied.then(
            function () {
              say("Link copied." + valid);
            },
            function () {
              output.focus();
              output.select();
              say("Copy the link beside this button (Ctrl+C or ⌘C)." + valid);
            }
          );
        })
        .catch(function (error) {
          if (error.status === 409) {
            // Refused until the editor acts (the article has as many working links as it
            // may: revoke one): the desk says what to do; trying again would not help.
            say(sentence(error.message));
          } else {
            say("No link was made (" + error.message + "). Try again.");
          }
        })
        .finally(function () {
          button.disabled = false;
        });
    });
    button.hidden = false;
  }

  var config = document.getElementById("live-preview-config");
  if (config) livePreview(config);
  var button = document.getElementById("preview-link-button");
  if (button && button.form) previewLink(button);
})();
