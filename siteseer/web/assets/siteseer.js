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

  /* A new page brings a new box, and the focus falls to <body> with the old
     one: someone who pressed Enter and kept typing while the results came
     lost the focus and what they typed. Enter notes the box it came from
     (handoff); every keystroke notes the box's text and caret (lastBox). */
  var handoff = null;
  var lastBox = null;

  function noteBox(box) {
    lastBox = { box: box, value: box.value, start: box.selectionStart, end: box.selectionEnd };
  }

  document.addEventListener(
    "input",
    function (e) {
      if (e.target && e.target.id === "q") {
        noteBox(e.target);
      }
    },
    true
  );

  /* Between the old box leaving the page and the new one taking the focus
     (20-150 ms) keystrokes went to <body>, and were lost: "debian install"
     Enter " grub" came out "debian install rub". Kept here (a character, or
     null for Backspace) and typed into the new box by settle(). */
  var pending = [];

  document.addEventListener(
    "keydown",
    function (e) {
      var h = handoff;
      if (!h || e.ctrlKey || e.metaKey || e.altKey || e.isComposing || Date.now() - h.at > 3000) {
        return;
      }
      var t = e.target;
      if (document.body.contains(h.box) || (t && t !== document.body && t !== document.documentElement)) {
        return; // the old box still has them, or they went where the person put the focus
      }
      if (e.key.length === 1) {
        pending.push(e.key);
      } else if (e.key === "Backspace") {
        pending.push(null);
      } else {
        return;
      }
      e.preventDefault();
    },
    true
  );

  /* "/" anywhere but in a field puts the caret in the search box, its words
     selected, as on GitHub, MDN and Google's results: the next search
     without reaching for the mouse. */
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || e.isComposing) {
      return;
    }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      return; // a "/" typed into a field is text
    }
    var box = document.getElementById("q");
    if (!box) {
      return;
    }
    e.preventDefault();
    box.focus();
    box.select();
  });

  /* After a new page has rendered: the new box takes the focus back, with
     the text typed into the old one since Enter. */
  function settle(h) {
    var box = document.getElementById("q");
    var active = document.activeElement;
    var keys = pending;
    pending = [];
    if (!box || box === h.box || (active && active !== document.body && active !== h.box)) {
      return; // the same box, or the person has moved on
    }
    var typed = lastBox && lastBox.box === h.box ? lastBox : null;
    var text = typed ? typed.value : h.value;
    keys.forEach(function (key) {
      text = key === null ? text.slice(0, -1) : text + key;
    });
    if (text !== h.value && text !== box.value) {
      // Through the native setter and an input event, so React (and Dash) see it.
      var setter = Object.getOwnPropertyDescriptor(window.HTMLInputElement.prototype, "value").set;
      setter.call(box, text);
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
    box.focus();
    var same = typed && !keys.length && typed.value === box.value;
    var end = box.value.length;
    try {
      box.setSelectionRange(same && typed.start != null ? typed.start : end, same && typed.end != null ? typed.end : end);
    } catch (e) {
      /* a caret at the start is no loss */
    }
  }

  /* Back to the results from a hit (or a reload) builds the page anew, after
     the browser has tried to restore the scroll position on a page with
     nothing in it yet: it came back at the top. Back from one results page to
     another is drawn by a callback, with no restoring at all. Each history
     entry keeps its own position (history.state), noted as the page scrolls
     (pagehide alone was lost on a reload), and put back once the page has its
     results. */
  var restoreY = null;
  try {
    var nav = window.performance.getEntriesByType("navigation")[0];
    var savedY = window.history.state && window.history.state.siteseerY;
    if (nav && (nav.type === "back_forward" || nav.type === "reload") && typeof savedY === "number" && savedY > 0) {
      restoreY = savedY;
    }
  } catch (e) {
    /* no position to put back */
  }

  function noteScroll() {
    try {
      // Only for the page this entry shows: not the old page's position written
      // into the entry a link has just pushed.
      var shown = document.getElementById("page-url");
      if (shown && shown.value !== window.location.pathname + window.location.search) {
        return;
      }
      var state = Object.assign({}, window.history.state, { siteseerY: Math.round(window.scrollY) });
      window.history.replaceState(state, "");
    } catch (e) {
      /* a lost position is no error */
    }
  }

  var scrollTimer = null;
  window.addEventListener(
    "scroll",
    function () {
      window.clearTimeout(scrollTimer);
      scrollTimer = window.setTimeout(noteScroll, 200); // replaceState is rate-limited
    },
    { passive: true }
  );
  window.addEventListener("pagehide", noteScroll);
  // A link is followed in its click, before the next pause in scrolling.
  document.addEventListener("click", noteScroll, true);
  window.addEventListener("popstate", function (e) {
    var y = e.state && e.state.siteseerY;
    restoreY = typeof y === "number" ? y : 0;
  });

  function restoreScroll(y, frames) {
    var room = document.documentElement.scrollHeight - window.innerHeight;
    if (room < y && frames > 0) {
      window.requestAnimationFrame(function () {
        restoreScroll(y, frames - 1);
      });
      return;
    }
    window.scrollTo(0, y);
  }

  /* A page that came by client-side navigation is not announced by screen
     readers as a loaded page is, and a live region that arrives with it is
     not read either: the one that stays (#announce) says its title and
     result count. */
  var shownOnce = false;

  function announce(title) {
    var region = document.getElementById("announce");
    if (!region) {
      return;
    }
    var status = document.querySelector("#main [role=status], #main [role=alert]");
    var text = title + (status && status.textContent ? ". " + status.textContent : "");
    // The same words again are not a change: make them one.
    region.textContent = region.textContent === text ? text + "\u00a0" : text;
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
      var target = new URL("/search?q=" + encodeURIComponent(q).replace(/%20/g, "+"), window.location.origin);
      // A new search stays in the type it is in (the PDF tab stays the PDF tab), as a
      // search engine's tabs do; "All" is a click away.
      var type = window.location.pathname === "/search" ? new URLSearchParams(window.location.search).get("type") : null;
      if (type) {
        target.searchParams.set("type", type);
      }
      var here = window.location.pathname + window.location.search;
      noteScroll();
      handoff = null;
      // The same URL again renders no new page: nothing to hand over.
      if (box && document.activeElement === box && target.pathname + target.search !== here) {
        noteBox(box);
        handoff = { box: box, value: box.value, at: Date.now() };
        pending = [];
      }
      return target.href;
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

    /* Each page as it mounts (its page-title and page-url): keep <title> in
       step, and once the page is in the document put back the scroll
       position (first page), the box's focus and text (after Enter) and
       say what the page holds (later pages; the first is read as loaded). */
    title: function (title, url) {
      if (typeof title !== "string" || !title) {
        stop(); // the "Loading…" page
      }
      if (document.title !== title) {
        document.title = title;
      }
      var h = handoff;
      var y = restoreY;
      var first = !shownOnce;
      shownOnce = true;
      restoreY = null;
      var frames = 30;
      function later() {
        var shown = document.getElementById("page-url");
        if (!shown || shown.value !== url || (h && document.body.contains(h.box))) {
          // React has not put this page in the document yet.
          if (frames-- > 0) {
            window.requestAnimationFrame(later);
          }
          return;
        }
        if (y !== null) {
          restoreScroll(y, 30);
        }
        if (h && handoff === h) {
          handoff = null;
          settle(h);
        } else if (!first && (!document.activeElement || document.activeElement === document.body)) {
          // A link (Next, a type, "Did you mean") took the focus away with the old
          // page: the next Tab went back through the header and every filter.
          var main = document.getElementById("main");
          if (main) {
            main.setAttribute("tabindex", "-1");
            main.focus({ preventScroll: true });
          }
        }
        if (!first) {
          announce(title);
        }
      }
      window.setTimeout(later, 0);
      stop();
    },
  };
})();
