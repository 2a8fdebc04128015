/* A request htmx could not complete swaps nothing, so the page would look as if the click did nothing.
   Instead #request-error (base.html) says why: the server's own words for a 503 (plain text, e.g. the
   database is restarting), else what to do. The next request that succeeds hides it again. */
(function () {
  "use strict";

  function banner(text) {
    var element = document.getElementById("request-error");
    if (!element) return;
    element.textContent = text;
    element.hidden = !text;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
    banner(xhr.status === 503 && plain && xhr.responseText
      ? xhr.responseText
      : "Something went wrong on our side (" + xhr.status + "). The error was logged: try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    banner("The server did not answer: check your connection; the page tries again by itself.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) banner("");
  });
})();
