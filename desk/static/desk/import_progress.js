// An import step's progress bar (catalogue/templates/admin/catalogue/book/import_progress.html):
// asks the job's progress URL, named by `data-import-progress`, every second and moves
// the bar; once the step has finished, reloads the page to show its report. Without
// JavaScript the page's reload link does the same by hand.
(function () {
  "use strict";

  var INTERVAL_MS = 1000;

  function follow(box) {
    var url = box.getAttribute("data-import-progress");
    var bar = box.querySelector("progress");
    var text = box.querySelector(".import-progress-text");

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (progress) {
          bar.value = progress.percent;
          bar.textContent = progress.percent + "%";
          text.textContent = progress.text;
          if (progress.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, INTERVAL_MS);
          }
        })
        .catch(function () {
          // A hiccup (a restart, a lost connection): try again, more slowly.
          window.setTimeout(poll, INTERVAL_MS * 5);
        });
    }

    window.setTimeout(poll, INTERVAL_MS);
  }

  document.querySelectorAll("[data-import-progress]").forEach(follow);
})();
