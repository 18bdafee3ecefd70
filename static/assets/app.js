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
})();
