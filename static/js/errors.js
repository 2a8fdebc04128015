/* A request htmx could not complete swaps nothing, so the page would look as if the click did nothing.
   Instead #request-error (base.html) says why: the server's own words when it answers plain text (a 503
   while the database restarts, a 400 saying what was wrong), else what to do. It stays until the same
   control succeeds or the person does something else that succeeds; background polls leave it alone. */
(function () {
  "use strict";

  var failed = null;  // the element whose request failed

  function banner(text) {
    var element = document.getElementById("request-error");
    if (!element) return;
    element.textContent = text;
    element.hidden = !text;
  }

  function words(xhr) {
    var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
    if (plain && xhr.responseText) return xhr.responseText;
    if (xhr.status >= 500) return "Something went wrong on our side (" + xhr.status + "). The error was logged: try again.";
    return "This could not be done (" + xhr.status + "): reload the page and try again.";
  }

  document.addEventListener("htmx:responseError", function (event) {
    failed = event.detail.elt;
    banner(words(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function (event) {
    failed = event.detail.elt;
    banner("The server did not answer: check your connection and try again.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail;
    if (!detail.successful || !failed) return;
    if (detail.elt === failed || (detail.requestConfig && detail.requestConfig.verb !== "get")) {
      failed = null;
      banner("");
    }
  });
})();
