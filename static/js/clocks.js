/* Clocks that tick without asking the server: data-since="<epoch s>" shows how long ("1h 4m 09s",
   the board's time in this state), data-ago="<epoch s>" how long ago ("12 s", "4 min", "2 h"). They
   tick every second and as soon as htmx or a live update brings new ones in. */
(function () {
  "use strict";

  function since(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    return (h ? h + "h " : "") + (h || m ? m + "m " : "") + s + "s";
  }

  function ago(seconds) {
    if (seconds < 120) return seconds + " s";
    if (seconds < 7200) return Math.floor(seconds / 60) + " min";
    return Math.floor(seconds / 3600) + " h";
  }

  function tick() {
    var now = Math.floor(Date.now() / 1000);
    document.querySelectorAll("[data-since]").forEach(function (el) {
      el.textContent = since(Math.max(0, now - el.dataset.since));
    });
    document.querySelectorAll("[data-ago]").forEach(function (el) {
      el.textContent = ago(Math.max(0, now - el.dataset.ago));
    });
  }

  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  document.addEventListener("htmx:sseMessage", tick);
  window.setInterval(tick, 1000);
})();
