// Small progressive enhancements for the example site.
(function () {
  "use strict";
  // Mark the section heading currently targeted by the URL fragment.
  function markTarget() {
    document.querySelectorAll("h2.current").forEach(function (h) { h.classList.remove("current"); });
    if (location.hash.length > 1) {
      var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (el) { el.classList.add("current"); }
    }
  }
  window.addEventListener("hashchange", markTarget);
  document.addEventListener("DOMContentLoaded", markTarget);
})();
