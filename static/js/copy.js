// Copy buttons: progressive enhancement only. A button
// `<button data-copy-target="ID" hidden>` is shown when the Clipboard API is
// available and copies the text of the element with that id; without
// JavaScript the text stays selectable as before.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) {
      return;
    }
    var label = button.textContent;
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = "value" in target ? target.value : target.textContent;
      navigator.clipboard.writeText(text).then(
        function () {
          button.textContent = "Copied";
          if (status) { status.textContent = "BibTeX copied to the clipboard."; }
          window.setTimeout(function () { button.textContent = label; }, 2000);
        },
        function () {
          if (status) { status.textContent = "Could not copy; select the text and copy it."; }
        }
      );
    });
  });
})();
