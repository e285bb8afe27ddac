// A list's bulk actions that readers notice at once, or that cannot be undone (publish,
// withdraw, remove ratings), ask before they run: the question for each action comes from
// the admin (AsksBeforeActions, desk/admin.py) in #desk-action-questions, "{count}"
// standing for how many rows are selected. Cancelling leaves the list as it was.
(function () {
  "use strict";

  var config = document.getElementById("desk-action-questions");
  var form = document.getElementById("changelist-form");
  if (!config || !form) {
    return;
  }
  var questions = JSON.parse(config.getAttribute("data-questions"));

  function selectedCount() {
    var across = form.querySelector("input[name=select_across]");
    if (across && across.value === "1") {
      return "all";
    }
    return String(form.querySelectorAll("input.action-select:checked").length);
  }

  form.addEventListener("submit", function (event) {
    // Only the actions' Go button; saving the list's editable fields asks nothing.
    if (event.submitter && event.submitter.name !== "index") {
      return;
    }
    var chosen = form.querySelector("select[name=action]");
    var question = chosen && questions[chosen.value];
    if (question && !window.confirm(question.replace("{count}", selectedCount()))) {
      event.preventDefault();
    }
  });
})();
