/* The article form's counts, as the editor types:
 *
 * - Beside the body, its words and reading time, by the server's rule (the data
 *   attributes of #word-count-config: articles.models WORD and WORDS_PER_MINUTE): the
 *   words of the title and of the body's text as readers see it, so embed lines
 *   ([[book:…]], [[list:…]], [[image:…]]), Markdown syntax, link addresses and HTML
 *   blocks do not count (articles.rendering.plain_text).
 * - Under the fields named in its data-characters (meta description, social title),
 *   their length against their maxlength.
 *
 * Seen at once; read out politely (aria-live) once typing pauses, not at every key.
 * A static file, as the CSP requires.
 */
(function () {
  "use strict";

  var SHOWN_AFTER_MS = 150;
  var SAID_AFTER_MS = 2000;
  var EMBED_LINE = /^[ \t]*\[\[(?:book|list|image):[^\]\n]*\]\][ \t]*$/gm;
  var HTML_BLOCK = /^ {0,3}<(?:[A-Za-z][\w-]*|\/[A-Za-z]|!--)/;

  // Python's \w (letters, digits, underscore in any script) in a JavaScript pattern.
  function wordPattern(python) {
    return new RegExp(python.replace(/\\w/g, "[\\p{L}\\p{N}_]"), "gu");
  }

  // The body's words as readers see them (approximating articles.rendering.plain_text:
  // what Markdown shows as text, without what it hides).
  function plainText(body) {
    return body
      .replace(/\r\n?/g, "\n")
      .replace(EMBED_LINE, "")
      .split(/\n[ \t]*\n/)
      .filter(function (block) { return !HTML_BLOCK.test(block); }) // <table>… is not text
      .join("\n\n")
      .replace(/^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$/gm, "") // link reference definitions
      .replace(/!\[[^\]\n]*\]\([^)\n]*\)/g, " ") // pictures: their alt is not read as text
      .replace(/\]\([^)\n]*\)/g, "]") // a link's address
      .replace(/<((?:https?|mailto):[^>\s]+)>/g, " $1 ") // an autolink shows its address
      .replace(/<\/?[A-Za-z][^>\n]*>/g, " "); // inline HTML
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // Shown at once, said once the editor pauses (a live region that changed at every key
  // would talk over the typing).
  function counter(className, id) {
    var shown = element("p", className);
    shown.id = id;
    var said = element("span", "visually-hidden");
    said.setAttribute("aria-live", "polite");
    var timers = { show: null, say: null };
    return {
      node: shown,
      said: said,
      update: function (words) {
        window.clearTimeout(timers.show);
        window.clearTimeout(timers.say);
        timers.show = window.setTimeout(function () {
          shown.textContent = words();
          timers.say = window.setTimeout(function () {
            said.textContent = shown.textContent;
          }, SAID_AFTER_MS);
        }, SHOWN_AFTER_MS);
      },
      now: function (words) {
        shown.textContent = words();
      },
    };
  }

  function describedBy(field, id) {
    var ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (ids.indexOf(id) === -1) ids.push(id);
    field.setAttribute("aria-describedby", ids.join(" "));
  }

  function wordCount(config) {
    var body = document.getElementById(config.dataset.target);
    var title = document.getElementById(config.dataset.title);
    if (!body) return;
    var pattern = wordPattern(config.dataset.wordPattern);
    var perMinute = parseInt(config.dataset.wordsPerMinute, 10);

    function count(text) {
      var found = text.match(pattern);
      return found ? found.length : 0;
    }

    function words() {
      var total = count(title ? title.value : "") + count(plainText(body.value));
      // As articles.models.reading_minutes_for: to the nearest minute, at least one.
      var minutes = Math.max(1, Math.floor((total + Math.floor(perMinute / 2)) / perMinute));
      return (
        total.toLocaleString("en") + (total === 1 ? " word" : " words") + " · " +
        minutes + " min read"
      );
    }

    var shown = counter("desk-word-count", config.dataset.target + "-word-count");
    // Beside the body: in the live preview's tool bar when there is one.
    var tools = body.parentNode.querySelector(".live-preview-split__tools");
    if (tools) tools.insertBefore(shown.node, tools.firstChild);
    else body.insertAdjacentElement("afterend", shown.node);
    shown.node.insertAdjacentElement("afterend", shown.said);
    describedBy(body, shown.node.id);
    shown.now(words);
    [body, title].filter(Boolean).forEach(function (field) {
      field.addEventListener("input", function () { shown.update(words); });
    });
  }

  function characterCount(field) {
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!limit) return;
    var shown = counter("desk-character-count", field.id + "-character-count");
    function words() {
      var left = limit - field.value.length;
      return field.value.length + " of " + limit + " characters" +
        (left <= 20 ? " (" + left + " left)" : "");
    }
    field.insertAdjacentElement("afterend", shown.node);
    shown.node.insertAdjacentElement("afterend", shown.said);
    describedBy(field, shown.node.id);
    shown.now(words);
    field.addEventListener("input", function () { shown.update(words); });
  }

  var config = document.getElementById("word-count-config");
  if (!config) return;
  wordCount(config);
  (config.dataset.characters || "").split(" ").forEach(function (id) {
    var field = id && document.getElementById(id);
    if (field) characterCount(field);
  });
})();
