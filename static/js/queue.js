/* The queue pages: print the number taken; counter shortcuts N, R, S, D, which press the
   button carrying data-shortcut, unless the officer is typing in a field. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) {
      return;
    }
    if (event.target.closest("input, textarea, select, [contenteditable]")) {
      return;
    }
    var button = document.querySelector('[data-shortcut="' + event.key.toLowerCase() + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });
  // The kiosk's ticket screen goes back to the buttons for the next person after a while
  // without a touch (a JavaScript timer, not a meta refresh: any touch or key restarts it).
  var screen = document.querySelector("[data-return-to]");
  if (screen) {
    var seconds = parseInt(screen.getAttribute("data-return-after"), 10) || 30;
    var timer = null;
    var restart = function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        window.location.assign(screen.getAttribute("data-return-to"));
      }, seconds * 1000);
    };
    ["pointerdown", "keydown"].forEach(function (name) {
      document.addEventListener(name, restart);
    });
    restart();
  }
})();
