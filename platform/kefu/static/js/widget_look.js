/* Widget look and presence: the reception plan's title, colour and logo; the unread count (the
 * launcher's badge in the embed, "(n)" in the H5 page's title); focus and Esc in the embed frame. */
(function () {
  "use strict";
  var C = window.KefuChat;
  if (!C) return;
  var T = C.T;
  var key = C.root.dataset.key;
  var params = new URLSearchParams(location.search);
  var framed = window.top !== window.self && params.get("embed") === "1";
  // The embedding page: the only window this frame talks to, and the only one it listens to.
  var hostOrigin = null;
  if (framed) {
    try { hostOrigin = new URL(params.get("page") || "").origin; } catch (e) { hostOrigin = null; }
    if (hostOrigin === "null") hostOrigin = null;
  }
  function tell(msg) { if (framed && hostOrigin) window.parent.postMessage(msg, hostOrigin); }
  function store(k, v) {
    try { if (v === undefined) return window.localStorage.getItem(k); window.localStorage.setItem(k, v); } catch (e) { /* no frame storage */ }
    return null;
  }

  // Checked again here (rules/definition.py did on publish): they go into CSS and an <img>.
  var COLOR = /^#[0-9a-fA-F]{6}$/;
  var LOGO = /^(https:\/\/[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\/static)\/[^\s"'()\\<>]*$/;
  var titleEl = document.getElementById("chat-title");
  var logoEl = document.getElementById("chat-logo");
  var baseTitle = document.title;
  function applyLook(look) {
    if (!look) return;
    if (typeof look.title === "string" && look.title) { titleEl.textContent = look.title; baseTitle = look.title; }
    if (COLOR.test(look.color || "")) document.documentElement.style.setProperty("--kefu-color", look.color);
    if (typeof look.logo === "string" && LOGO.test(look.logo)) { logoEl.src = look.logo; logoEl.hidden = false; }
    else { logoEl.hidden = true; logoEl.removeAttribute("src"); }
    showTitle();
    tell({type: "kefu:look", look: {title: look.title, color: look.color, logo: look.logo, position: look.position}});
  }

  // Unread: agent messages newer than the last one the visitor could see. The H5 page is seen
  // when its tab is; the embed frame when the host says it is open.
  var shown = framed ? false : !document.hidden;
  var seenKey = "kefu_seen_" + key;
  var seenId = Number(store(seenKey)) || 0;
  var agentIds = [];
  var unread = -1;
  function showTitle() {
    document.title = unread > 0 ? C.fmt(T.unread_title, {n: unread, title: baseTitle}) : baseTitle;
  }
  function recount() {
    var n = 0;
    if (shown) {
      var top = Math.max.apply(null, [seenId].concat(agentIds));
      if (top > seenId) { seenId = top; store(seenKey, String(seenId)); tell({type: "kefu:seen", id: seenId}); }
    } else {
      agentIds.forEach(function (id) { if (id > seenId) n++; });
    }
    if (n === unread) return;
    unread = n;
    C.root.dataset.unread = String(n);
    showTitle();
    tell({type: "kefu:unread", count: n});
  }
  C.onMessage(function (m) {
    if (m && m.id && (m.sender === "agent" || m.sender === "robot") && agentIds.indexOf(m.id) < 0) {
      agentIds.push(m.id);
      recount();
    }
  });
  function focusComposer() {
    var first = document.querySelector("#prechat [data-field]:not([hidden]) input");
    var target = first || (C.input.disabled ? null : C.input);
    if (target) target.focus();
  }
  function setShown(on) {
    var was = shown;
    shown = on;
    recount();
    if (on && !was && framed) focusComposer();
  }
  if (!framed) {
    document.addEventListener("visibilitychange", function () { setShown(!document.hidden); });
  }
  window.addEventListener("message", function (ev) {
    var d = ev.data;
    if (!framed || ev.source !== window.parent || ev.origin !== hostOrigin || !d || typeof d !== "object") return;
    if (d.type === "kefu:hello") {
      if (Number(d.seen) > seenId) seenId = Number(d.seen);
      unread = -1;  // tell the (reloaded) host the count again
      setShown(d.visible === true);
      if (d.visible === true) focusComposer();
    } else if (d.type === "kefu:visible") {
      setShown(d.visible === true);
    }
  });
  // The embed's frame closes with Esc or its header's button; focus goes back to the launcher.
  var closeBtn = document.getElementById("chat-close");
  if (closeBtn) closeBtn.addEventListener("click", function () { tell({type: "kefu:close"}); });
  document.addEventListener("keydown", function (e) {
    if (framed && e.key === "Escape" && !e.defaultPrevented) tell({type: "kefu:close"});
  });
  C.onSession(function (data) { applyLook(data.look); recount(); });
  window.KefuChat.unread = function () { return Math.max(unread, 0); };
})();
