// Errata's small layer over htmx: keyboard, copy buttons, term highlighting.
// User text only ever becomes text nodes, never markup.
(function () {
  "use strict";
  var d = document;
  var box = function () { return d.getElementById("q"); };

  function typing(t) {
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  function results() {
    return Array.prototype.slice.call(d.querySelectorAll("a[data-result]"));
  }

  d.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var q = box();
    if (e.key === "/" && !typing(e.target) && q) {
      e.preventDefault();
      q.focus();
      q.select();
      return;
    }
    if (e.key === "Escape" && e.target === q && q.value !== "") {
      e.preventDefault();
      q.value = "";
      q.dispatchEvent(new Event("search"));
      return;
    }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    if (typing(e.target) && e.target !== q) return;
    var list = results();
    if (!list.length) return;
    var i = list.indexOf(d.activeElement);
    if (e.key === "ArrowDown") i = i < 0 ? 0 : Math.min(i + 1, list.length - 1);
    else if (i <= 0) { if (q) q.focus(); return; } else i--;
    e.preventDefault();
    list[i].focus();
  });

  function flash(btn, text) {
    var old = btn.textContent;
    btn.textContent = text;
    setTimeout(function () { btn.textContent = old; }, 1500);
  }

  function copy(btn, text) {
    if (!navigator.clipboard) { flash(btn, "Press Ctrl+C"); return; }
    navigator.clipboard.writeText(text).then(function () { flash(btn, "Copied"); },
      function () { flash(btn, "Copy failed"); });
  }

  // On a narrow screen the filters wait behind their button (app.css).
  d.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("button[data-filters-toggle]");
    if (!btn) return;
    var box = d.getElementById(btn.getAttribute("aria-controls"));
    if (!box) return;
    var open = btn.getAttribute("aria-expanded") !== "true";
    btn.setAttribute("aria-expanded", String(open));
    box.classList.toggle("open", open);
  });

  d.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("button[data-copy],button[data-copy-link]");
    if (!btn) return;
    if (btn.hasAttribute("data-copy-link")) {
      copy(btn, btn.getAttribute("data-url") || location.href);
    } else {
      var el = d.getElementById(btn.getAttribute("data-copy"));
      if (el) copy(btn, el.textContent);
    }
  });

  // Highlight the words of ?hl= on an entry page by wrapping them in <mark>.
  function highlight() {
    var scope = d.querySelector("[data-highlight-scope]");
    var hl = new URLSearchParams(location.search).get("hl");
    if (!scope || !hl) return;
    var words = hl.toLowerCase().split(/[^\p{L}\p{N}_.-]+/u).filter(function (w) { return w.length > 1; });
    if (!words.length) return;
    var esc = words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    var re = new RegExp("(" + esc.join("|") + ")", "gi");
    var walk = d.createTreeWalker(scope, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        var p = n.parentNode.closest("script,style,mark,button,nav,.related");
        return p ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var nodes = [];
    while (walk.nextNode()) nodes.push(walk.currentNode);
    nodes.forEach(function (n) {
      var parts = n.nodeValue.split(re);
      if (parts.length < 2) return;
      var frag = d.createDocumentFragment();
      parts.forEach(function (p, i) {
        if (!p) return;
        if (i % 2) {
          var m = d.createElement("mark");
          m.className = "hl";
          m.textContent = p;
          frag.appendChild(m);
        } else frag.appendChild(d.createTextNode(p));
      });
      n.parentNode.replaceChild(frag, n);
    });
  }

  function reveal() {
    d.documentElement.classList.add("js");
    d.querySelectorAll("button[data-copy],button[data-copy-link],button[data-filters-toggle]").forEach(function (b) { b.hidden = false; });
  }

  function init() { reveal(); highlight(); }
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", init); else init();
  d.addEventListener("htmx:load", reveal);

  // Tell screen readers how many results the live search found.
  d.addEventListener("htmx:afterSwap", function () {
    var live = d.getElementById("live"), count = d.getElementById("count");
    if (live && count) live.textContent = count.textContent;
  });

  // A paste of several lines, or longer than a URL should carry, is posted:
  // an input would join its lines (which say where a trace's frames and a
  // response's headers end), and a long GET is refused. The server answers
  // with the short address of what it understood.
  var inlineMax = 2000;

  function postSearch(text) {
    var form = d.createElement("form"), from = box() && box().form;
    form.method = "post";
    form.action = "/";
    form.hidden = true;
    var area = d.createElement("textarea");
    area.name = "q";
    area.value = text;
    form.appendChild(area);
    if (from) {
      from.querySelectorAll("input[type=hidden]").forEach(function (h) { form.appendChild(h.cloneNode()); });
    }
    d.body.appendChild(form);
    var live = d.getElementById("live");
    if (live) live.textContent = "Reading the pasted error…";
    form.submit();
  }

  d.addEventListener("paste", function (e) {
    var q = box();
    if (e.target !== q || !e.clipboardData) return;
    var text = e.clipboardData.getData("text/plain");
    if (text.length <= inlineMax && text.indexOf("\n") < 0) return;
    e.preventDefault();
    q.value = text.replace(/\s+/g, " ").slice(0, 200);
    postSearch(text);
  });

  // Whatever fills the box beyond a URL's worth (a drop, an autofill) is
  // posted the same way rather than sent as a GET the server would refuse.
  d.addEventListener("htmx:configRequest", function (e) {
    var q = box();
    if (e.detail.elt !== q || q.value.length <= inlineMax) return;
    e.preventDefault();
    postSearch(q.value);
  });

  // History gets one entry per pause or search, not one per keystroke: the
  // first request of a burst of typing pushes its address, the next ones
  // replace it, so Back leaves the search for the page before it.
  var pauseMs = 1000, lastTyped = 0;
  d.addEventListener("htmx:beforeHistoryUpdate", function (e) {
    var h = e.detail.history, cfg = e.detail.requestConfig || {};
    if (!h || h.type !== "push" || cfg.elt !== box()) return;
    var ev = cfg.triggeringEvent, now = Date.now();
    if (ev && ev.type === "input" && now - lastTyped < pauseMs) h.type = "replace";
    lastTyped = ev && ev.type === "input" ? now : 0;
  });

  // Enter opens the first result when the server marked it clearly the
  // best for what is in the box; otherwise the form searches. Enter also
  // fires the search box's "search" event: the request it would start must
  // not run, since its history push would cancel the page being opened.
  var leaving = false;
  d.addEventListener("keydown", function (e) {
    var q = box(), res = d.getElementById("results");
    if (e.key !== "Enter" || e.target !== q || !res || e.isComposing) return;
    var best = res.getAttribute("data-best");
    if (best && res.getAttribute("data-q") === q.value.trim() && best.charAt(0) === "/") {
      e.preventDefault();
      leaving = true;
      location.assign(best);
    }
  });
  d.addEventListener("htmx:beforeRequest", function (e) {
    if (leaving) e.preventDefault();
  });

  // A search that fails says so where the results are, instead of leaving
  // the old results as if nothing happened.
  function failed(e) {
    var res = d.getElementById("results"), cfg = e.detail.requestConfig || {};
    if (!res || (e.detail.elt || cfg.elt) !== box()) return;
    var old = res.querySelector("[data-testid=search-error]");
    if (old) old.remove();
    var p = d.createElement("p");
    p.className = "search-error";
    p.setAttribute("role", "alert");
    p.setAttribute("data-testid", "search-error");
    var xhr = e.detail.xhr, status = xhr ? xhr.status : 0;
    p.textContent = status === 413 || status === 431 ?
      "That text is too long to search as you type. Press Enter to search it, or paste the error itself rather than the whole log." :
      "The search could not run" + (status ? " (HTTP " + status + ")" : ": the server did not answer") + ". Try again, or press Enter.";
    res.insertBefore(p, res.firstChild);
  }
  d.addEventListener("htmx:responseError", failed);
  d.addEventListener("htmx:sendError", failed);
})();
