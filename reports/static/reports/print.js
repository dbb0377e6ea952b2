/* The summary's "Print" button: a script file, since the Content-Security-Policy
   allows no inline event handlers (onclick=…). */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
