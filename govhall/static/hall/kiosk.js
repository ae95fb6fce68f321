/* 取号机 and the ticket: the clock (the server's: data-clock is the centre's wall-clock
   time in ms, read back with getUTC*, so the machine's own clock and zone do not
   matter); the ticket page prints itself when opened from the machine (data-autoprint)
   and goes back to the machine after a while (data-return). */
(function () {
  "use strict";
  var clock = document.getElementById("clock");
  var server = clock ? Number(clock.getAttribute("data-clock")) : 0;
  var offset = server > 0 ? server - Date.now() : 0;
  function tick() {
    if (!clock) return;
    var d = new Date(Date.now() + offset);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    clock.textContent = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
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
