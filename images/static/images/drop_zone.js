/* The picture form's file field as a drop zone: a picture may be chosen, dropped on the
   zone, or pasted anywhere on the page (Ctrl/Cmd+V of a copied picture or screenshot).
   Whichever way, it becomes the file input's file and is uploaded with the form. */
(function () {
  "use strict";
  var ACCEPTED = ["image/jpeg", "image/png", "image/webp"];

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  ready(function () {
    var input = document.getElementById("id_file");
    if (!input) {
      return;
    }
    var zone = document.createElement("div");
    zone.className = "image-drop-zone";
    var hint = document.createElement("p");
    hint.className = "image-drop-zone__hint";
    hint.textContent = "Drop a picture here, paste one (Ctrl+V), or choose a file.";
    var chosen = document.createElement("p");
    chosen.className = "image-drop-zone__chosen";
    chosen.setAttribute("role", "status");
    chosen.setAttribute("aria-live", "polite");
    input.parentNode.insertBefore(zone, input);
    zone.appendChild(hint);
    zone.appendChild(input);
    zone.appendChild(chosen);

    function describe() {
      var file = input.files && input.files[0];
      chosen.textContent = file
        ? "Chosen: " + (file.name || "a pasted picture") + " (" + Math.ceil(file.size / 1024) + " KB)."
        : "";
      zone.classList.toggle("image-drop-zone--chosen", Boolean(file));
    }

    function take(files) {
      var picture = null;
      for (var i = 0; i < files.length; i += 1) {
        if (ACCEPTED.indexOf(files[i].type) !== -1 || files[i].type.indexOf("image/") === 0) {
          picture = files[i];
          break;
        }
      }
      if (!picture) {
        chosen.textContent = "That is not a picture: drop or paste a JPEG, PNG or WebP image.";
        return false;
      }
      var name = picture.name || "pasted." + (picture.type.split("/")[1] || "png");
      var transfer = new DataTransfer();
      transfer.items.add(new File([picture], name, { type: picture.type }));
      input.files = transfer.files;
      describe();
      return true;
    }

    input.addEventListener("change", describe);
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("image-drop-zone--over");
    });
    zone.addEventListener("dragleave", function () {
      zone.classList.remove("image-drop-zone--over");
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("image-drop-zone--over");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        take(event.dataTransfer.files);
      }
    });
    document.addEventListener("paste", function (event) {
      var data = event.clipboardData;
      if (!data || !data.files || !data.files.length) {
        return; // text pasted into a field stays text
      }
      if (take(data.files)) {
        event.preventDefault();
      }
    });
  });
})();
