/* kefu workbench: integration pages (对接页面) as iframe tabs beside the chat.
   URLs are built by the server for each chat (its access check, its signed token); this script only
   shows them, names as text, each page in a sandboxed frame. */
(function () {
  "use strict";
  var WB = window.KefuWB;
  var T = window.KEFU_INTEGRATION_I18N || {};
  var panel = document.getElementById("integrations");
  var tabs = document.getElementById("integration-tabs");
  var frames = document.getElementById("integration-frames");
  var empty = document.getElementById("integration-empty");
  var err = document.getElementById("integration-error");
  if (!WB || !panel) return;
  var wb = document.querySelector(".wb");
  if (wb) wb.appendChild(panel);  // beside the chat pane
  // The agent may fold the pages away to give the chat room; the choice sticks to this browser.
  var toggle = document.getElementById("integration-toggle");
  function fold(collapsed) {
    panel.classList.toggle("collapsed", collapsed);
    toggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
    toggle.textContent = collapsed ? "⇤" : "⇥";
    try { localStorage.setItem("kefu_integrations_collapsed", collapsed ? "1" : ""); } catch (e) { /* private mode */ }
  }
  try { fold(localStorage.getItem("kefu_integrations_collapsed") === "1"); } catch (e) { fold(false); }
  toggle.addEventListener("click", function () { fold(!panel.classList.contains("collapsed")); });
  var shownFor = null;  // conversation id whose pages are shown
  var chosen = {};      // conversation id -> page id the agent last picked
  var seq = 0;

  function sandboxFor(url) {
    var flags = "allow-scripts allow-forms allow-popups allow-downloads";
    // A page of another origin may keep its own origin (its cookies, its login); one of ours may
    // not, or it could reach into the workbench.
    try { if (new URL(url).origin !== location.origin) flags += " allow-same-origin"; } catch (e) { return ""; }
    return flags;
  }
  function show(conversationId, pageId) {
    chosen[conversationId] = pageId;
    Array.prototype.forEach.call(tabs.children, function (b) {
      b.setAttribute("aria-selected", b.dataset.id === String(pageId) ? "true" : "false");
    });
    Array.prototype.forEach.call(frames.children, function (f) { f.hidden = f.dataset.id !== String(pageId); });
  }
  function render(conversationId, pages) {
    tabs.textContent = ""; frames.textContent = "";
    err.hidden = true;
    panel.hidden = false;
    empty.hidden = pages.length > 0;
    pages.forEach(function (p) {
      var b = document.createElement("button");
      b.type = "button"; b.setAttribute("role", "tab"); b.dataset.id = String(p.id);
      b.textContent = p.name;
      b.addEventListener("click", function () { show(conversationId, p.id); });
      tabs.appendChild(b);
      var f = document.createElement("iframe");
      f.dataset.id = String(p.id); f.title = p.name;
      f.setAttribute("sandbox", sandboxFor(p.url));
      f.setAttribute("referrerpolicy", "no-referrer");
      f.src = p.url;
      frames.appendChild(f);
    });
    if (!pages.length) { panel.hidden = true; return; }
    var keep = pages.some(function (p) { return p.id === chosen[conversationId]; });
    show(conversationId, keep ? chosen[conversationId] : pages[0].id);
  }
  function load(conv) {
    if (!conv || String(conv.id) === shownFor) return;
    shownFor = String(conv.id);
    var mine = ++seq;
    fetch("/api/integration/pages?conversation_id=" + encodeURIComponent(conv.id), {
      headers: {"Accept": "application/json"}, credentials: "same-origin"
    }).then(function (r) { return r.json(); }).then(function (res) {
      if (mine !== seq) return;  // the agent moved on to another chat meanwhile
      if (!res.ok) { panel.hidden = false; err.textContent = res.error.message; err.hidden = false; return; }
      render(conv.id, res.pages);
    }).catch(function () {
      if (mine !== seq) return;
      shownFor = null; panel.hidden = false; err.textContent = T.failed || "error"; err.hidden = false;
    });
  }
  WB.onSelect(load);
  // A chat taken off the screen (transferred away, taken over) takes its pages with it.
  var title = document.getElementById("chat-title");
  if (title && window.MutationObserver) {
    new MutationObserver(function () {
      if (WB.current()) return;
      seq++; shownFor = null; panel.hidden = true; tabs.textContent = ""; frames.textContent = "";
    }).observe(title, {childList: true, characterData: true, subtree: true});
  }
  if (WB.current()) load(WB.current());
  window.KefuIntegrations = {reload: function () { var c = WB.current(); shownFor = null; load(c); }};
})();
