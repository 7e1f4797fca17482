/* siteseer: the clientside callbacks of the public pages (no inline scripts). */
(function () {
  "use strict";
  var ns = (window.dash_clientside = window.dash_clientside || {});
  var PAUSE_MS = 150;

  /* Throwing PreventUpdate (not returning no_update) keeps Dash from
     treating the output as touched and running the callbacks behind it. */
  function stop() {
    throw window.dash_clientside.PreventUpdate;
  }

  function triggered() {
    var ctx = ns.callback_context;
    return (ctx && ctx.triggered) || [];
  }

  /* A click or Enter counts up from 0; a freshly rendered box sends 0. */
  function realEvent() {
    return triggered().some(function (t) {
      return typeof t.value === "number" && t.value > 0;
    });
  }

  function currentQuery() {
    try {
      return (new URLSearchParams(window.location.search).get("q") || "").trim();
    } catch (e) {
      return "";
    }
  }

  ns.siteseer = {
    /* dcc.Location reported a URL (mount, link click, Back/Forward).
       Ask the server for a page only when the shown page is another URL. */
    route: function (pathname, search, rendered) {
      if (typeof pathname !== "string") {
        stop();
      }
      var want = pathname + (search || "");
      if (want === rendered) {
        stop();
      }
      return want;
    },

    /* Enter in the box or the Search button: a new history entry. The DOM
       value is read because a debounced input may not have sent it yet. */
    submit: function (nSubmit, nClicks, value) {
      // Dash also calls this when a new page puts a fresh box (n_submit 0)
      // in place of the old one, prevent_initial_call notwithstanding.
      if (!realEvent()) {
        stop();
      }
      var box = document.getElementById("q");
      var q = box && typeof box.value === "string" ? box.value : value || "";
      q = q.trim();
      if (!q) {
        if (box) {
          box.focus();
        }
        stop();
      }
      return (
        window.location.origin +
        "/search?q=" +
        encodeURIComponent(q).replace(/%20/g, "+")
      );
    },

    /* The box's value once typing has paused for PAUSE_MS: one suggestion
       request per pause, not per key. Dash awaits the Promise; a rejection
       with PreventUpdate drops the stale value. */
    pause: function (value) {
      var prefix = typeof value === "string" ? value.trim() : "";
      return new Promise(function (resolve, reject) {
        window.setTimeout(function () {
          var box = document.getElementById("q");
          var now = box && typeof box.value === "string" ? box.value.trim() : prefix;
          // Only for someone typing: not for a page that rendered its query.
          var typing = box && document.activeElement === box && prefix !== currentQuery();
          if (!typing || now !== prefix || prefix.length < 2) {
            reject(window.dash_clientside.PreventUpdate);
          } else {
            resolve(prefix);
          }
        }, PAUSE_MS);
      });
    },

    /* Keep <title> in step with the page after client-side navigation. */
    title: function (title) {
      if (typeof title === "string" && title && document.title !== title) {
        document.title = title;
      }
      stop();
    },
  };
})();
