// The [[ picker: typing [[ in an article's body opens a search for a book (title,
// author, ISBN in any form, or slug), an article or a picture. Enter or a click inserts
// a book's [[book:slug]] or a picture's [[image:ID]] as a line of its own where [[ was
// typed, or an article's Markdown link, [Title](/articles/slug/), in the sentence. A
// WAI-ARIA 1.2 combobox (a search field that controls a listbox, its options in groups:
// Books, Articles, Pictures), so the keyboard alone works and screen readers announce
// the options. The results come as JSON from catalogue/admin/picker.py,
// articles/admin_picker.py and images/admin_picker.py.
//
// The textarea is `textarea[data-book-picker="<books' URL>"]` (books only), or the one
// named by the `data-target` of #book-picker-config, with the URLs in its `data-url`
// (books), `data-articles-url` and `data-pictures-url` (each left out for someone who
// may not see them).
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var GAP = 4; // pixels between the caret's line and the panel
  var PANEL_ROOM = 360; // about the panel's height with ten books, to choose above or below
  var pickers = 0;

  // What the hidden copy of the textarea needs to wrap its text in the same places.
  var MIRRORED = [
    "boxSizing", "width", "borderTopWidth", "borderRightWidth", "borderBottomWidth",
    "borderLeftWidth", "borderStyle", "paddingTop", "paddingRight", "paddingBottom",
    "paddingLeft", "fontStyle", "fontVariant", "fontWeight", "fontStretch", "fontSize",
    "lineHeight", "fontFamily", "textAlign", "textTransform", "textIndent", "letterSpacing",
    "wordSpacing", "tabSize",
  ];

  // Where the character at `position` is drawn, relative to the textarea's border box:
  // measured on a hidden copy of the text (a textarea does not tell where its caret is).
  function caretOffset(textarea, position) {
    var computed = window.getComputedStyle(textarea);
    var mirror = document.createElement("div");
    MIRRORED.forEach(function (name) {
      mirror.style[name] = computed[name];
    });
    mirror.style.position = "absolute";
    mirror.style.visibility = "hidden";
    mirror.style.top = "0";
    mirror.style.left = "-9999px";
    mirror.style.whiteSpace = "pre-wrap";
    mirror.style.overflowWrap = "break-word";
    mirror.style.overflow = "hidden";
    mirror.textContent = textarea.value.slice(0, position);
    var marker = document.createElement("span");
    marker.textContent = "\u200b";
    mirror.appendChild(marker);
    document.body.appendChild(mirror);
    var offset = {
      top: marker.offsetTop - textarea.scrollTop,
      left: marker.offsetLeft - textarea.scrollLeft,
      height: marker.offsetHeight || parseFloat(computed.lineHeight) || 16,
    };
    document.body.removeChild(mirror);
    return offset;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  // What each kind of result is called, and how it goes into the text.
  var KINDS = {
    book: { group: "Books", one: "book", many: "books" },
    article: { group: "Articles", one: "article", many: "articles" },
    picture: { group: "Pictures", one: "picture", many: "pictures" },
  };

  function describe(results, sources) {
    var counts = sources.map(function (source) {
      var count = results.filter(function (result) { return result.kind === source.kind; })
        .length;
      var kind = KINDS[source.kind];
      return count ? count + " " + (count === 1 ? kind.one : kind.many) : "";
    }).filter(Boolean);
    if (!counts.length) {
      return sources.length === 1 ? "No " + KINDS[sources[0].kind].many + " found." :
        "Nothing found.";
    }
    return counts.join(", ") + " found.";
  }

  function attach(textarea, sources) {
    var id = "book-picker-" + ++pickers;
    var state = {
      open: false,
      start: 0, // where the [[ that opened the picker begins
      results: [],
      options: [], // the results' option elements, in the order of `results`
      active: -1,
      timer: null,
      request: null,
      query: "",
    };

    // The panel ends the textarea's row, so Tab from the search field reaches the next
    // field of the form; it is positioned fixed, as the admin's rows clip overflow.
    var panel = element("div", "book-picker");
    panel.hidden = true;
    var label = element(
      "label",
      "book-picker__label",
      sources.length === 1
        ? "Find a book to embed"
        : "Find a book to embed, an article to link or a picture"
    );
    label.htmlFor = id + "-input";
    var input = element("input", "book-picker__input");
    input.type = "text";
    input.id = id + "-input";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    input.setAttribute("aria-describedby", id + "-hint");
    var listbox = element("ul", "book-picker__list");
    listbox.id = id + "-list";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute(
      "aria-label",
      sources.map(function (source) { return KINDS[source.kind].group; }).join(", ")
    );
    listbox.hidden = true;
    var status = element("div", "book-picker__status");
    status.setAttribute("role", "status");
    var hint = element(
      "p",
      "book-picker__hint",
      (sources.length === 1 ? "Title, author, ISBN or slug." :
        "A book's title, author, ISBN or slug; an article's title or words; a picture's " +
        "words or number.") +
        " Arrow keys choose, Enter inserts, Escape goes back."
    );
    hint.id = id + "-hint";
    panel.append(label, input, listbox, status, hint);
    (textarea.closest(".form-row") || textarea.parentNode).appendChild(panel);

    function place() {
      var box = textarea.getBoundingClientRect();
      var caret = caretOffset(textarea, state.start);
      // The caret's line, kept within the textarea when it is scrolled out of view.
      var top = box.top + Math.min(Math.max(caret.top, 0), box.height - caret.height);
      var bottom = top + caret.height;
      var roomBelow = window.innerHeight - bottom;
      if (roomBelow < PANEL_ROOM && top > roomBelow) {
        // Anchored by its bottom edge, so it grows upwards as books arrive.
        panel.style.top = "auto";
        panel.style.bottom = window.innerHeight - top + GAP + "px";
      } else {
        panel.style.bottom = "auto";
        panel.style.top = bottom + GAP + "px";
      }
      var left = Math.min(box.left + caret.left, window.innerWidth - panel.offsetWidth - 8);
      panel.style.left = Math.max(left, 8) + "px";
    }

    function setActive(index) {
      var options = state.options;
      if (state.active >= 0 && options[state.active]) {
        options[state.active].setAttribute("aria-selected", "false");
      }
      state.active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      var option = options[index];
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function optionElement(index) {
      var option = element("li", "book-picker__option");
      option.id = id + "-option-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      return option;
    }

    function badge(text, result, published) {
      if (result.status !== published) {
        text.append(
          element("span", "book-picker__badge book-picker__badge--" + result.status,
            result.status_label),
          " "
        );
      }
    }

    function articleOption(article, index) {
      var option = optionElement(index);
      var text = element("span", "book-picker__text");
      text.append(element("span", "book-picker__title", article.title), " ");
      if (article.byline) text.append(element("span", "book-picker__about", article.byline), " ");
      badge(text, article, "published");
      var address = element("span", "book-picker__slug", "/articles/" + article.slug + "/");
      address.setAttribute("aria-hidden", "true");
      text.append(address);
      option.append(text);
      return option;
    }

    function pictureOption(picture, index) {
      var option = optionElement(index);
      var thumbnail;
      if (picture.thumbnail) {
        thumbnail = element("img", "book-picker__thumbnail");
        thumbnail.src = picture.thumbnail;
        thumbnail.alt = "";
      } else {
        thumbnail = element("span", "book-picker__thumbnail book-picker__thumbnail--waiting");
        thumbnail.setAttribute("aria-hidden", "true");
      }
      var text = element("span", "book-picker__text");
      text.append(element("span", "book-picker__title", picture.title), " ");
      if (picture.about) text.append(element("span", "book-picker__about", picture.about), " ");
      badge(text, picture, "ready");
      var number = element("span", "book-picker__slug", "image:" + picture.id);
      number.setAttribute("aria-hidden", "true");
      text.append(number);
      option.append(thumbnail, text);
      return option;
    }

    function optionFor(result, index) {
      if (result.kind === "article") return articleOption(result, index);
      if (result.kind === "picture") return pictureOption(result, index);
      return bookOption(result, index);
    }

    function bookOption(book, index) {
      var option = optionElement(index);
      var cover;
      if (book.cover) {
        cover = element("img", "book-picker__cover");
        cover.src = book.cover;
        cover.alt = "";
      } else {
        // No image: a block in the colour the site draws this book's cover in.
        cover = element("span", "book-picker__cover desk-cover desk-cover--hue-" + book.hue);
        cover.setAttribute("aria-hidden", "true");
      }
      var text = element("span", "book-picker__text");
      text.append(element("span", "book-picker__title", book.title), " ");
      var about = [book.authors, book.year].filter(Boolean).join(", ");
      if (about) {
        text.append(element("span", "book-picker__about", about), " ");
      }
      if (book.status !== "published") {
        text.append(
          element("span", "book-picker__badge book-picker__badge--" + book.status,
            book.status_label),
          " "
        );
      }
      var slug = element("span", "book-picker__slug", book.slug);
      slug.setAttribute("aria-hidden", "true"); // seen by editors, not read out each time
      text.append(slug);
      option.append(cover, text);
      return option;
    }

    // The options in a group per kind, each named by its heading (WAI-ARIA: a listbox
    // may hold groups of options); a kind with nothing found shows no group.
    function show(results) {
      state.results = results;
      state.active = -1;
      input.removeAttribute("aria-activedescendant");
      state.options = results.map(optionFor);
      var groups = sources.map(function (source, number) {
        var options = state.options.filter(function (option, index) {
          return results[index].kind === source.kind;
        });
        if (!options.length) return null;
        var group = element("li", "book-picker__group");
        group.setAttribute("role", "group");
        var heading = element("span", "book-picker__group-name", KINDS[source.kind].group);
        heading.id = id + "-group-" + number;
        heading.setAttribute("role", "presentation");
        group.setAttribute("aria-labelledby", heading.id);
        var list = element("ul", "book-picker__group-list");
        list.setAttribute("role", "none");
        list.append.apply(list, options);
        group.append(heading, list);
        return group;
      }).filter(Boolean);
      listbox.replaceChildren.apply(listbox, groups);
      listbox.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = describe(results, sources);
      place();
      if (results.length) {
        setActive(0); // Enter takes the best match, as the highlight shows
      }
    }

    function clear() {
      state.results = [];
      state.options = [];
      state.active = -1;
      listbox.replaceChildren();
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      status.textContent = "";
    }

    function ask(source, query, signal) {
      var separator = source.url.indexOf("?") === -1 ? "?" : "&";
      return fetch(source.url + separator + "q=" + encodeURIComponent(query), {
        signal: signal,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          var isJson = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
          if (!response.ok || !isJson) {
            // A login page instead of JSON: the session has ended.
            throw new Error(isJson ? "error " + response.status : "are you still signed in?");
          }
          return response.json();
        })
        .then(function (body) {
          return body.results.map(function (result) {
            return Object.assign({ kind: source.kind }, result);
          });
        });
    }

    function search(query) {
      if (state.request) {
        state.request.abort(); // a stale answer must not replace a newer one
      }
      var request = new AbortController();
      state.request = request;
      var failed = [];
      Promise.all(
        sources.map(function (source) {
          return ask(source, query, request.signal).catch(function (error) {
            if (error.name === "AbortError") throw error;
            failed.push(KINDS[source.kind].many + " (" + error.message + ")");
            return [];
          });
        })
      )
        .then(function (answers) {
          if (!(state.open && query === state.query)) return;
          var results = [].concat.apply([], answers);
          if (failed.length === sources.length) {
            clear();
            status.textContent = "The search failed (" + failed[0].replace(/^\w+ \(|\)$/g, "") +
              "). Try again.";
            return;
          }
          show(results);
          if (failed.length) {
            status.textContent += " The search for " + failed.join(" and ") + " failed.";
          }
        })
        .catch(function (error) {
          if (error.name !== "AbortError" && state.open) {
            clear();
            status.textContent = "The search failed (" + error.message + "). Try again.";
          }
        });
    }

    function schedule() {
      var query = input.value.trim();
      state.query = query;
      window.clearTimeout(state.timer);
      if (!query) {
        if (state.request) {
          state.request.abort();
        }
        clear();
        return;
      }
      state.timer = window.setTimeout(search, DEBOUNCE_MS, query);
    }

    function open(start) {
      state.open = true;
      state.start = start;
      input.value = "";
      clear();
      panel.hidden = false;
      place();
      input.focus();
    }

    function close(backToText) {
      if (!state.open) {
        return;
      }
      state.open = false;
      window.clearTimeout(state.timer);
      if (state.request) {
        state.request.abort();
      }
      clear();
      panel.hidden = true;
      var typed = input.value;
      input.value = "";
      if (backToText) {
        // What was typed in the search is not lost: it follows the "[[" in the text.
        var caret = state.start + 2;
        if (typed) {
          replaceText(caret, caret, typed, caret + typed.length);
        } else {
          textarea.focus();
          textarea.setSelectionRange(caret, caret);
        }
      }
    }

    // Replace [start, end) of the text as typing would (Undo undoes it), and let other
    // scripts (unsaved changes, preview) know through an input event.
    function replaceText(start, end, text, caret) {
      textarea.focus();
      textarea.setSelectionRange(start, end);
      var typed = false;
      try {
        typed = document.execCommand("insertText", false, text); // fires "input" itself
      } catch (error) {
        typed = false;
      }
      if (!typed || textarea.value.slice(start, start + text.length) !== text) {
        textarea.setRangeText(text, start, end);
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
      textarea.setSelectionRange(caret, caret);
    }

    function choose(index) {
      var chosen = state.results[index];
      var start = state.start;
      close(false);
      var value = textarea.value;
      var end = value.slice(start, start + 2) === "[[" ? start + 2 : start;
      if (chosen.kind === "article") {
        // A link is part of the sentence: in place of the [[, the caret after it.
        replaceText(start, end, chosen.link, start + chosen.link.length);
        return;
      }
      var before = value.slice(0, start);
      var after = value.slice(end);
      // An embed is a line of its own: break the line before and after it if need be.
      var text = (before && before.slice(-1) !== "\n" ? "\n" : "") + chosen.embed;
      var caret;
      if (after.charAt(0) === "\n") {
        caret = start + text.length + 1; // at the start of the line that follows
      } else {
        text += "\n";
        caret = start + text.length;
      }
      replaceText(start, end, text, caret);
    }

    textarea.addEventListener("input", function (event) {
      if (state.open || event.inputType !== "insertText" || !event.data) {
        return;
      }
      var caret = textarea.selectionStart;
      var value = textarea.value;
      if (
        caret === textarea.selectionEnd &&
        value.slice(caret - 2, caret) === "[[" &&
        value.charAt(caret - 3) !== "["
      ) {
        open(caret - 2);
      }
    });

    input.addEventListener("input", function () {
      if (/^(book|list|image):/i.test(input.value)) {
        // Typing the embed by hand, as the help text says: back to the text with it.
        close(true);
        return;
      }
      schedule();
    });

    input.addEventListener("keydown", function (event) {
      var count = state.results.length;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (count) {
            setActive((state.active + 1) % count);
          }
          break;
        case "ArrowUp":
          event.preventDefault();
          if (count) {
            setActive(state.active <= 0 ? count - 1 : state.active - 1);
          }
          break;
        case "Enter":
          event.preventDefault(); // never submits the article form
          if (state.active >= 0) {
            choose(state.active);
          } else if (count === 1) {
            choose(0);
          }
          break;
        case "Escape":
          event.preventDefault();
          event.stopPropagation();
          close(true);
          break;
        case "Backspace":
          if (!input.value) {
            // Nothing searched for yet: back to the text, deleting the second "[".
            event.preventDefault();
            var start = state.start;
            close(false);
            replaceText(start + 1, start + 2, "", start + 1);
          }
          break;
        case "Tab":
          // Back to the text; a Tab then moves on from the textarea, a Shift+Tab stays.
          if (event.shiftKey) {
            event.preventDefault();
          }
          close(true);
          break;
      }
    });

    // Clicking an option must not take the focus from the search field first.
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        choose(state.options.indexOf(option));
      }
    });

    panel.addEventListener("focusout", function (event) {
      if (!panel.contains(event.relatedTarget) && event.relatedTarget !== textarea) {
        keepTyped();
      }
    });

    // Focus went elsewhere (a click outside): close, leaving what was typed in the text.
    function keepTyped() {
      var typed = input.value;
      var at = state.start + 2;
      close(false);
      if (typed) {
        textarea.setRangeText(typed, at, at);
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }

    function follow() {
      if (state.open) {
        place();
      }
    }
    window.addEventListener("resize", follow);
    window.addEventListener("scroll", follow, { capture: true, passive: true });
  }

  document.querySelectorAll("textarea[data-book-picker]").forEach(function (textarea) {
    attach(textarea, [{ kind: "book", url: textarea.dataset.bookPicker }]);
  });
  var config = document.getElementById("book-picker-config");
  var target = config && document.getElementById(config.dataset.target);
  var sources = config ? [
    { kind: "book", url: config.dataset.url },
    { kind: "article", url: config.dataset.articlesUrl },
    { kind: "picture", url: config.dataset.picturesUrl },
  ].filter(function (source) { return source.url; }) : [];
  if (target && target.tagName === "TEXTAREA" && !target.dataset.bookPicker && sources.length) {
    attach(
      target,
      sources
    );
    // The config's text tells screen reader users about [[ where they write.
    var described = (target.getAttribute("aria-describedby") || "").split(" ");
    target.setAttribute("aria-describedby", described.concat(config.id).filter(Boolean).join(" "));
  }
})();
