/* 取号机 and the ticket: the clock; the ticket page prints itself when opened from the
   machine (data-autoprint) and goes back to the machine after a while (data-return). */
(function () {
  "use strict";
  var clock = document.getElementById("clock");
  function tick() {
    if (!clock) return;
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    clock.textContent = pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  tick();
  window.setInterval(tick, 10000);
  var ticket = document.querySelector("[data-autoprint]");
  if (ticket) window.setTimeout(function () { window.print(); }, 300);
  var back = document.querySelector("[data-return]");
  if (back) {
    window.setTimeout(function () { window.location.href = back.getAttribute("data-return"); }, 20000);
  }
})();
