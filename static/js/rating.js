// Rate a book without reloading the page. The form works without this script too:
// a plain POST, then back to the book page with a message.
(function () {
  "use strict";

  function show(form, text) {
    form.querySelector("[data-rating-status]").textContent = text;
  }

  function update(form, body) {
    var rating = document.querySelector(".book > .book-card .rating");
    if (rating && body.rating_html) {
      rating.outerHTML = body.rating_html;
    }
    var histogram = document.querySelector("[data-rating-histogram]");
    if (histogram && body.histogram_html) {
      histogram.innerHTML = body.histogram_html;
    }
    var removeButton = form.querySelector("[data-remove]");
    if (body.your_rating === null) {
      form.querySelectorAll("input[name=score]").forEach(function (input) {
        input.checked = false;
      });
      removeButton.hidden = true;
    } else {
      removeButton.hidden = false;
    }
    show(form, body.message);
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.set(submitter.name, submitter.value);
    }
    form.setAttribute("aria-busy", "true");
    // form.action would be the buttons named "action"; the attribute is the URL.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        var isJson = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
        if (!isJson) {
          throw new Error("Your rating was not saved (error " + response.status +
            "). Reload the page and try again.");
        }
        return response.json().then(function (body) {
          if (!response.ok) {
            throw new Error(body.error || "Your rating was not saved.");
          }
          update(form, body);
        });
      })
      .catch(function (error) {
        show(form, error.message && error.message.indexOf("rating") !== -1
          ? error.message
          : "Your rating could not be sent. Check your connection and try again.");
      })
      .finally(function () {
        form.removeAttribute("aria-busy");
      });
  }

  document.querySelectorAll("form[data-rating-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(form, event.submitter);
    });
  });
})();
