// The voter card's QR code opens /vote#code=XXXX-XXXX-XXXX-XXXX-XXXX (issue 13). Browsers never
// send the part after '#', so the code reaches no server log. This script (served from 'self';
// the CSP allows no inline script) fills the code field from it, then removes the code from the
// address bar and from the history entry, so going back, sharing or bookmarking the page does not
// carry it. Written for old in-app browsers (WeChat, Alipay): ES5 only, every feature checked
// first, and nothing thrown: without this script the form still works by typing.
(function () {
  "use strict";
  var loc = window.location;
  var hash = loc && typeof loc.hash === "string" ? loc.hash : "";
  var found = /[#&]code=([^&]*)/.exec(hash);
  if (!found) {
    return;
  }
  var code = "";
  try {
    code = decodeURIComponent(found[1].replace(/\+/g, " "));
  } catch (e) {
    code = found[1];
  }
  // Letters, digits and the dashes between groups; at most a code's length with separators.
  code = code.replace(/[^0-9A-Za-z-]/g, "").toUpperCase().slice(0, 32);

  function clearAddress() {
    var clean = loc.pathname + loc.search;
    try {
      if (window.history && typeof window.history.replaceState === "function") {
        window.history.replaceState(null, "", clean);
        return;
      }
    } catch (e) {
      // Some in-app browsers refuse replaceState: fall through.
    }
    try {
      // Replaces this history entry with the same page without the code; a fragment-only
      // change does not reload the page.
      loc.replace("#");
    } catch (e2) {
      // Nothing more to do: the code stays only in this tab's address bar.
    }
  }

  function fill() {
    var field = document.getElementById ? document.getElementById("code") : null;
    if (field && code && !field.value) {
      field.value = code;
    }
  }

  fill();
  clearAddress();
  if (document.readyState === "loading" && document.addEventListener) {
    document.addEventListener("DOMContentLoaded", fill, false);
  }
})();
