/* Live updates: a page with sse-connect (htmx's SSE extension) swaps what its stream says changed.

   When the stream is refused or breaks (a proxy, Redis down, a server without ASGI), the page says so
   in #live-status and its live parts poll: their hx-trigger has "every Ns [exoLive.down()]". When the
   stream opens again, every live part fetches itself afresh once (the "live:refresh" event on body),
   so whatever changed while it was down is shown, and nothing is applied twice. The same happens when
   the stream says "scope-changed" (a team's agents or leads changed: this person now supervises others). */
(function () {
  "use strict";

  var down = false;
  var opened = false;

  // Down: the stream broke, or this page has none (its live parts then poll as they always did).
  window.exoLive = { down: function () { return down || !document.querySelector("[sse-connect]"); } };

  function say(text) {
    var status = document.getElementById("live-status");
    if (!status) return;
    status.textContent = text;
    status.hidden = !text;
  }

  document.addEventListener("htmx:sseOpen", function (event) {
    // Who this person supervises changed (a team's agents or leads): every live part fetches itself.
    var source = event.detail && event.detail.source;
    if (source && !source.exoScopeHeard) {
      source.exoScopeHeard = true;
      source.addEventListener("scope-changed", function () { htmx.trigger(document.body, "live:refresh"); });
    }
    var again = opened;
    opened = true;
    document.body.setAttribute("data-live", "on");
    if (down) say("Live updates are back.");
    down = false;
    if (again) htmx.trigger(document.body, "live:refresh");
  });

  // A pushed board row replaces the old one: an agent ticked for end of shift stays ticked.
  var ticked = {};
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var row = event.target;
    if (row.id && row.querySelector && row.querySelector("input.pick:checked")) ticked[row.id] = true;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var row = event.target;
    if (!row.id || !ticked[row.id]) return;
    delete ticked[row.id];
    var pick = row.querySelector("input.pick");
    if (pick) pick.checked = true;
  });

  document.addEventListener("htmx:sseError", function () {
    document.body.setAttribute("data-live", "off");
    if (down) return;
    down = true;
    say("Live updates are interrupted: this page refreshes itself every few seconds until they are back.");
  });
})();
