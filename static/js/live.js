/* Live updates: a page with sse-connect (htmx's SSE extension) swaps what its stream says changed.

   Every time the stream opens (the first time too: something may have changed between drawing the
   page and opening its stream), every live part fetches itself afresh once (the "live:refresh"
   event on body), so nothing is missed and nothing is applied twice. When the stream is refused or
   breaks (a proxy, Redis down, a server without ASGI) and does not come back within a few seconds,
   the page says so in #live-status and its live parts poll: their hx-trigger has
   "every Ns [exoLive.down()]". Streams also end on purpose every few minutes (so who may see what
   is checked again); such a quick reconnect says nothing. The stream's "scope-changed" (a team's
   agents or leads changed: this person now supervises others) fetches every live part afresh too. */
(function () {
  "use strict";

  var QUIET_MS = 4000;  // a stream back within this long was not "interrupted"
  var down = false;
  var broken = null;
  var hideBack = null;

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
    window.clearTimeout(broken);
    broken = null;
    document.body.setAttribute("data-live", "on");
    if (down) {
      say("Live updates are back.");
      hideBack = window.setTimeout(function () { say(""); }, 5000);
    }
    down = false;
    htmx.trigger(document.body, "live:refresh");
  });

  function goDown() {
    window.clearTimeout(broken);
    broken = null;
    down = true;
    window.clearTimeout(hideBack);
    document.body.setAttribute("data-live", "off");
    say("Live updates are interrupted: this page refreshes itself every few seconds until they are back.");
  }

  document.addEventListener("htmx:sseError", function (event) {
    if (down) return;
    var source = event.detail && event.detail.source;
    if (source && source.readyState === EventSource.CLOSED) {
      goDown();  // the server refused the stream (no Redis, no ASGI): poll at once
    } else if (!broken) {
      broken = window.setTimeout(goDown, QUIET_MS);  // it ended: the browser is reconnecting
    }
  });

  // Exotel confirmed agents unchanged: their rows' "confirmed by Exotel N s ago" start again.
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    if (event.detail.type !== "confirmed") return;
    event.preventDefault();
    var confirmed = JSON.parse(event.detail.data);
    Object.keys(confirmed).forEach(function (agentId) {
      var ago = document.querySelector('[data-confirmed-agent="' + agentId + '"]');
      if (ago) ago.setAttribute("data-ago", confirmed[agentId]);
    });
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
})();
