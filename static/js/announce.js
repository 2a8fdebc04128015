/* Screen readers hear what an htmx update changed, and keyboard focus survives the update.

   What is read goes through the two live regions at the end of base.html, which exist from page load
   (a live region that arrives with its text is not reliably read):
     data-announce            read when a swap that a person caused (click, key, submit, typing; not
                              polling) brings the element in: the result of what they did.
     data-announce-changes=K  read whenever its text differs from the last text seen under key K, polls
                              included; the same words again stay quiet. On page load it is only noted.
     #messages                the flash messages a page arrives with, read once it has loaded.
   Errors that a swap brings in carry role="alert", which is read at once by itself; error flash
   messages go to the assertive region. Everything else is polite.

   Focus: when a swap removes the focused control, the same control in the new content gets it back
   (same id, or the button of the same name in the form with the same action); failing that, the
   swapped-in element does, so the next Tab goes on from where the person was. */
(function () {
  "use strict";

  var ANNOUNCED = "[data-announce], [data-announce-changes]";
  var seen = {};
  var queued = { polite: [], assertive: [] };
  var focused = null;

  function words(element) {
    return element.textContent.replace(/\s+/g, " ").trim();
  }

  function say(text, how) {
    var queue = queued[how];
    if (!text || queue.indexOf(text) >= 0) return;
    if (!queue.length) window.setTimeout(function () { flush(how); }, 0);
    queue.push(text);
  }

  function flush(how) {
    var region = document.getElementById("announce-" + how);
    var text = queued[how].join(" ");
    queued[how] = [];
    if (!region) return;
    region.textContent = "";  // the same words twice in a row are read twice
    window.setTimeout(function () { region.textContent = text; }, 100);
  }

  function within(root) {  // a swap's new content: the element swapped in, or the target filled anew
    var found = Array.prototype.slice.call(root.querySelectorAll(ANNOUNCED));
    if (root.matches(ANNOUNCED)) found.unshift(root);
    return found;
  }

  function note(root) {
    within(root).forEach(function (element) {
      var key = element.getAttribute("data-announce-changes");
      if (key !== null) seen[key] = words(element);
    });
  }

  function read(root, byPerson) {
    var chosen = within(root).filter(function (element) {
      var key = element.getAttribute("data-announce-changes");
      if (key === null) return byPerson;
      var text = words(element);
      var changed = seen[key] !== text;
      seen[key] = text;
      return changed;
    });
    chosen.forEach(function (element) {
      var insideAnother = chosen.some(function (other) { return other !== element && other.contains(element); });
      if (!insideAnother) say(words(element), "polite");
    });
  }

  function refocus(root) {
    var lost = focused;
    focused = null;
    if (!lost || document.contains(lost)) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    var form = lost.form;
    var again = (lost.id && document.getElementById(lost.id)) ||
      (form && lost.name && document.querySelector(
        'form[action="' + CSS.escape(form.getAttribute("action") || "") + '"] [name="' + CSS.escape(lost.name) + '"]'));
    if (again && !again.disabled) {
      again.focus();
      return;
    }
    if (!root.hasAttribute("tabindex")) root.setAttribute("tabindex", "-1");
    root.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    note(document.body);
    var messages = document.getElementById("messages");
    if (!messages) return;
    window.setTimeout(function () {
      messages.querySelectorAll("li").forEach(function (message) {
        say(words(message), message.classList.contains("error") ? "assertive" : "polite");
      });
    }, 250);
  });

  document.addEventListener("htmx:beforeRequest", function () {
    focused = document.activeElement;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.target;
    if (!(root instanceof Element) || !document.contains(root)) return;
    var cause = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    read(root, Boolean(cause && cause.isTrusted));
    refocus(root);
  });
})();
