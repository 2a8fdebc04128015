// Running clocks: every [data-since] (a Unix time) shows the time since, every [data-as-of] how
// old the data is, each second and after every htmx swap. Loaded once per page.
(function () {
  if (window.exoadminClock) return;
  window.exoadminClock = true;
  function ago(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    return (h ? h + "h " : "") + (h || m ? m + "m " : "") + s + "s";
  }
  function tick() {
    var now = Math.floor(Date.now() / 1000);
    document.querySelectorAll("[data-since]").forEach(function (el) { el.textContent = ago(Math.max(0, now - el.dataset.since)); });
    document.querySelectorAll("[data-as-of]").forEach(function (el) { el.textContent = "as of " + Math.max(0, now - el.dataset.asOf) + " s ago"; });
  }
  tick();
  setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);
})();
