/* 叫号大屏 and 窗口屏: live by server-sent events (see views_public.py). The page
   carries data-events (the stream URL with ?after=<last id when drawn>); EventSource
   reconnects by itself (the server says retry: 1000) and sends Last-Event-ID, so no
   call is missed. Each 叫号/重呼 is announced by speech synthesis in Chinese once the
   staff pressed 开启语音 (a browser needs a user gesture; remembered in localStorage). */
(function () {
  "use strict";
  var root = document.querySelector("[data-events]");
  if (!root) return;
  var mode = root.getAttribute("data-mode") || "hall";
  var myWindow = root.getAttribute("data-window") || "";
  var VOICE_KEY = "govhall.hall.voice";
  var voiceButton = document.getElementById("voice-toggle");
  var statusEl = document.getElementById("stream-status");

  function voiceOn() {
    try { return window.localStorage.getItem(VOICE_KEY) === "on"; } catch (e) { return false; }
  }
  function showVoice() {
    if (!voiceButton) return;
    if (!("speechSynthesis" in window)) { voiceButton.textContent = "本机不支持语音播报"; voiceButton.disabled = true; return; }
    voiceButton.textContent = voiceOn() ? "关闭语音" : "开启语音";
  }
  if (voiceButton) {
    voiceButton.addEventListener("click", function () {
      try { window.localStorage.setItem(VOICE_KEY, voiceOn() ? "off" : "on"); } catch (e) { /* private mode */ }
      if (voiceOn()) speak("语音播报已开启");
      showVoice();
    });
    showVoice();
  }
  function spokenWindow(number) {
    return /^\d+$/.test(number) ? String(parseInt(number, 10)) : number;
  }
  function speak(text) {
    if (!voiceOn() || !("speechSynthesis" in window)) return;
    var u = new SpeechSynthesisUtterance(text);
    u.lang = "zh-CN";
    u.rate = 0.9;
    window.speechSynthesis.speak(u);
  }
  function announce(e) {
    var text = "请" + e.code + "号到" + spokenWindow(e.window) + "号窗口办理";
    speak(text);
    if (e.kind === "recall") speak(text);
  }
  // The server's clock, not the TV's: data-clock (and each "clock" event of the stream)
  // is the centre's wall-clock time in ms, read back with getUTC* (time zone-proof).
  var clockEl = document.getElementById("clock");
  var offset = 0;
  function setServerTime(ms) {
    ms = Number(ms);
    if (ms > 0) offset = ms - Date.now();
  }
  if (clockEl) setServerTime(clockEl.getAttribute("data-clock"));
  function tick() {
    if (!clockEl) return;
    var d = new Date(Date.now() + offset);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    clockEl.textContent = (d.getUTCMonth() + 1) + "月" + d.getUTCDate() + "日 " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }
  tick();
  window.setInterval(tick, 1000);

  function hallCall(e) {
    var now = document.getElementById("now");
    if (now) {
      now.querySelector("[data-code]").textContent = e.code;
      now.querySelector("[data-window]").textContent = e.window;
      now.hidden = false;
      now.classList.remove("flash");
      void now.offsetWidth;
      now.classList.add("flash");
      var empty = document.getElementById("now-empty");
      if (empty) empty.hidden = true;
    }
    var list = document.getElementById("recent");
    if (list) {
      var li = document.createElement("li");
      var a = document.createElement("span"); a.textContent = e.code;
      var b = document.createElement("span"); b.className = "win"; b.textContent = e.window + " 号窗口";
      li.appendChild(a); li.appendChild(b);
      li.setAttribute("data-call", e.id);
      list.insertBefore(li, list.firstChild);
      while (list.children.length > 8) list.removeChild(list.lastChild);
    }
  }
  function windowStep(e) {
    if (e.window !== myWindow) return;
    var code = document.getElementById("window-code");
    var hint = document.getElementById("window-hint");
    if (e.kind === "call" || e.kind === "recall") {
      code.textContent = e.code; code.hidden = false;
      hint.textContent = "请 " + e.code + " 号到本窗口办理";
    } else if (e.kind === "start") {
      code.textContent = e.code; code.hidden = false;
      hint.textContent = "正在办理";
    } else if (["finish", "no_show", "transfer", "cancel"].indexOf(e.kind) >= 0) {
      code.hidden = true;
      hint.textContent = "请稍候，等待叫号";
    }
  }
  function onEvent(msg) {
    var e;
    try { e = JSON.parse(msg.data); } catch (err) { return; }
    if (mode === "window") {
      windowStep(e);
      if ((e.kind === "call" || e.kind === "recall") && e.window === myWindow) announce(e);
      return;
    }
    if (e.kind === "call" || e.kind === "recall") { hallCall(e); announce(e); }
  }
  function onWaiting(msg) {
    var rows;
    try { rows = JSON.parse(msg.data); } catch (err) { return; }
    rows.forEach(function (r) {
      var el = document.querySelector("[data-waiting='" + r.prefix + "']");
      if (el) el.textContent = r.waiting;
    });
  }
  if (!("EventSource" in window)) {
    window.setTimeout(function () { window.location.reload(); }, 5000);
    return;
  }
  var source = new EventSource(root.getAttribute("data-events"));
  ["call", "recall", "start", "finish", "no_show", "transfer", "cancel", "issue", "requeue"].forEach(function (k) {
    source.addEventListener(k, onEvent);
  });
  source.addEventListener("waiting", onWaiting);
  source.addEventListener("clock", function (msg) { setServerTime(msg.data); tick(); });
  // Each response ends by design and the browser reconnects after 1 s, firing "error"
  // every time: only a connection that stays down for 5 s is worth showing.
  var lastOpen = Date.now();
  source.addEventListener("open", function () { lastOpen = Date.now(); if (statusEl) statusEl.textContent = ""; });
  window.setInterval(function () {
    if (statusEl && Date.now() - lastOpen > 5000 && source.readyState !== 1) statusEl.textContent = "连接中断，正在重连…";
  }, 1000);
})();
