// Copy buttons, a progressive enhancement: <button data-copy="ID" hidden> copies the value (or text) of the
// element with that id. Without JavaScript or the Clipboard API the button stays hidden and the value stays
// on the page, visible and selectable. The outcome is announced in the button's status element.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!target) {
      return;
    }
    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = "value" in target ? target.value : target.textContent;
      navigator.clipboard.writeText(text).then(
        function () {
          say("Copied.");
        },
        function () {
          if (target.select) {
            target.select();
          }
          say("Could not copy: the text is selected, copy it with Ctrl+C (⌘C on a Mac).");
        }
      );
    });
  });
})();
