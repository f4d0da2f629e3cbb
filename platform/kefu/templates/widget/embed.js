/* kefu embed snippet: a launcher button that opens the chat in a frame, both inside a shadow root.
 *
 * Loaded with <script async>, it only builds the button while the host page loads; the chat frame
 * (and everything it loads) is created on the first click, or after the host's load event for a
 * returning visitor, so the widget never holds up the host page. The host's CSS cannot reach into
 * the shadow root, and `all: initial` on its host element stops inherited styles; the only global
 * is window.KefuWidget. */
(function () {
  "use strict";
  if (window.KefuWidget) return;
  var chatUrl = {{ chat_url|safe }};
  var defaults = {{ look|safe }};
  var chatOrigin = new URL(chatUrl).origin;
  var key = chatUrl.split("?")[0].split("/").pop();
  var url = chatUrl + "&page=" + encodeURIComponent(location.href) +
            "&ref=" + encodeURIComponent(document.referrer || "");
  // Browsers may deny the chat frame its own storage (third-party), so this page keeps the
  // visitor's token and hands it over in the URL fragment, which never reaches a server log.
  var tokenKey = "kefu_token_" + key, lookKey = "kefu_look_" + key, seenKey = "kefu_seen_" + key;
  function get(k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } }
  function set(k, v) { try { window.localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  var zh = /^zh/i.test(navigator.language || "");
  var T = zh ? {open: "打开在线客服", close: "收起在线客服", unread: "{n} 条未读消息"}
             : {open: "Open the chat", close: "Close the chat", unread: "{n} unread"};

  // The look (title, colour, logo, side) of the visitor's reception plan, as the chat frame last
  // reported it; checked again here because it goes into CSS and an <img>.
  var COLOR = /^#[0-9a-fA-F]{6}$/;
  var LOGO = /^(https:\/\/[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\/static)\/[^\s"'()\\<>]*$/;
  function clean(raw) {
    var out = {title: defaults.title, color: "#1677ff", logo: null, position: "right"};
    if (!raw || typeof raw !== "object") return out;
    if (typeof raw.title === "string" && raw.title.trim()) out.title = raw.title.slice(0, 60);
    if (typeof raw.color === "string" && COLOR.test(raw.color)) out.color = raw.color;
    if (typeof raw.logo === "string" && LOGO.test(raw.logo) && raw.logo.length <= 500) {
      out.logo = raw.logo.charAt(0) === "/" ? chatOrigin + raw.logo : raw.logo;
    }
    if (raw.position === "left") out.position = "left";
    return out;
  }
  // Until then, what the script brought: the plan's look for a visitor nobody knows yet.
  var look = clean((function () { try { return JSON.parse(get(lookKey) || "null"); } catch (e) { return null; } })() || defaults);

  var CSS = [
    ":host{all:initial !important;display:block !important;position:static !important}",
    ".kw{all:initial;--c:#1677ff;font:14px/1.3 -apple-system,'PingFang SC','Microsoft YaHei',Arial,sans-serif}",
    ".launcher{all:initial;box-sizing:border-box;position:fixed;right:20px;bottom:20px;z-index:2147483000;",
    "display:inline-flex;align-items:center;gap:8px;max-width:calc(100vw - 40px);padding:12px 18px;",
    "border:0;border-radius:24px;background:var(--c);color:#fff;font:inherit;font-size:14px;cursor:pointer;",
    "box-shadow:0 4px 12px rgba(0,0,0,.2)}",
    ".launcher:focus-visible{outline:3px solid #1f2329;outline-offset:3px}",
    ".launcher img{all:initial;width:20px;height:20px;border-radius:4px;object-fit:cover;display:block}",
    ".launcher img[hidden],.badge[hidden],.frame[hidden]{display:none}",
    ".label{all:initial;font:inherit;color:inherit;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}",
    ".badge{all:initial;box-sizing:border-box;min-width:20px;height:20px;padding:0 6px;border-radius:10px;",
    "background:#f5222d;color:#fff;font:600 12px/20px Arial,sans-serif;text-align:center}",
    ".frame{all:initial;box-sizing:border-box;display:block;position:fixed;right:20px;bottom:76px;width:370px;",
    "height:560px;max-width:calc(100vw - 40px);max-height:calc(100vh - 96px);border:0;border-radius:12px;",
    "z-index:2147483000;box-shadow:0 8px 24px rgba(0,0,0,.25);background:#fff}",
    ".left .launcher,.left .frame{right:auto;left:20px}",
    // Phones: the chat takes the whole screen; its own header has the close button.
    "@media (max-width:480px){.frame{top:0;left:0;right:0;bottom:0;width:100%;height:100%;",
    "max-width:none;max-height:none;border-radius:0}.open .launcher{display:none}}"
  ].join("");

  var hostEl = document.createElement("div");
  hostEl.id = "kefu-widget";
  hostEl.setAttribute("style", "all:initial !important;display:block !important");
  var root = hostEl.attachShadow ? hostEl.attachShadow({mode: "open"}) : hostEl;
  var style = document.createElement("style");
  style.textContent = CSS;
  var wrap = document.createElement("div");
  wrap.className = "kw";
  var btn = document.createElement("button");
  btn.id = "kefu-launcher";
  btn.type = "button";
  btn.className = "launcher";
  btn.setAttribute("aria-expanded", "false");
  btn.setAttribute("aria-controls", "kefu-frame");
  var logo = document.createElement("img");
  logo.alt = "";
  logo.hidden = true;
  var label = document.createElement("span");
  label.className = "label";
  var badge = document.createElement("span");
  badge.className = "badge";
  badge.id = "kefu-unread";
  badge.hidden = true;
  badge.setAttribute("aria-hidden", "true");  // the button's name says it
  btn.appendChild(logo); btn.appendChild(label); btn.appendChild(badge);
  wrap.appendChild(btn);
  root.appendChild(style);
  root.appendChild(wrap);

  var frame = null, isOpen = false, unread = 0;
  function render() {
    wrap.style.setProperty("--c", look.color);
    wrap.classList.toggle("left", look.position === "left");
    label.textContent = look.title;
    if (look.logo) { logo.src = look.logo; logo.hidden = false; } else { logo.hidden = true; logo.removeAttribute("src"); }
    badge.textContent = !unread ? "" : unread > 99 ? "99+" : String(unread);
    badge.hidden = !unread;
    var name = look.title + " · " + (isOpen ? T.close : T.open);
    if (unread) name += " · " + T.unread.replace("{n}", String(unread));
    btn.setAttribute("aria-label", name);
    if (frame) frame.title = look.title;
  }
  function post(msg) {
    if (frame && frame.contentWindow) {
      try { frame.contentWindow.postMessage(msg, chatOrigin); } catch (e) { /* closed */ }
    }
  }
  function hello() { post({type: "kefu:hello", visible: isOpen, seen: Number(get(seenKey)) || 0}); }
  function makeFrame(show) {
    frame = document.createElement("iframe");
    frame.id = "kefu-frame";
    frame.className = "frame";
    frame.hidden = !show;
    frame.setAttribute("allow", "clipboard-write");
    var token = get(tokenKey);
    // The host's signed identity (docs/identity.md) also rides in the fragment, out of server logs.
    var ident = window.KEFU_IDENTITY, frag = [];
    if (token) frag.push("token=" + encodeURIComponent(token));
    if (ident && ident.data && ident.sig) frag.push("identity=" + encodeURIComponent(ident.data + "." + ident.sig));
    frame.src = url + (frag.length ? "#" + frag.join("&") : "");
    frame.addEventListener("load", function () {
      sendPages(); hello();
      if (isOpen) frame.focus();
    });
    wrap.appendChild(frame);
    render();
  }
  function setOpen(open, moveFocus) {
    isOpen = open;
    if (open && !frame) makeFrame(true);
    if (frame) frame.hidden = !open;
    wrap.classList.toggle("open", open);
    btn.setAttribute("aria-expanded", String(open));
    post({type: "kefu:visible", visible: open});
    render();
    if (open) { if (frame) frame.focus(); } else if (moveFocus) btn.focus();
  }
  btn.addEventListener("click", function () { setOpen(!isOpen, true); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && isOpen) setOpen(false, true);
  });
  window.addEventListener("message", function (ev) {
    var d = ev.data;
    if (!frame || ev.source !== frame.contentWindow || ev.origin !== chatOrigin || !d || typeof d !== "object") return;
    if (d.type === "kefu:token") {
      if (typeof d.token === "string" && d.token && d.token.length <= 2048) set(tokenKey, d.token);
    } else if (d.type === "kefu:look") {
      look = clean(d.look);
      set(lookKey, JSON.stringify(d.look || {}));
      render();
    } else if (d.type === "kefu:unread") {
      unread = Math.max(0, Math.min(10000, Number(d.count) || 0));
      render();
    } else if (d.type === "kefu:seen") {
      if (Number(d.id) > 0) set(seenKey, String(Number(d.id)));
    } else if (d.type === "kefu:close") {
      if (isOpen) setOpen(false, true);
    }
  });

  // The browsing trail (访客轨迹): this site's recent pages, kept here and handed to the chat frame,
  // which reports them for the agent's visitor panel. Same-site history only; nothing is sent
  // before the chat frame exists.
  var trailKey = "kefu_trail_" + key, lastHref = "";
  function trail() { try { return JSON.parse(get(trailKey) || "[]"); } catch (e) { return []; } }
  function sendPages() { post({type: "kefu:pages", views: trail()}); }
  function notePage() {
    if (location.href === lastHref) return;
    lastHref = location.href;
    var list = trail().concat([{url: location.href, title: (document.title || "").slice(0, 200), at: Date.now()}]);
    set(trailKey, JSON.stringify(list.slice(-20)));
    sendPages();
  }
  notePage();
  window.addEventListener("popstate", notePage);
  window.addEventListener("hashchange", notePage);
  setInterval(notePage, 2000);  // single-page sites change the URL without an event
  render();
  (document.body || document.documentElement).appendChild(hostEl);
  // A returning visitor's chat is loaded hidden once the host page has loaded, so an agent's
  // reply (or one sent while they were away) raises the unread badge without a click.
  function preload() { if (!frame && get(tokenKey)) makeFrame(false); }
  if (document.readyState === "complete") setTimeout(preload, 0);
  else window.addEventListener("load", function () { setTimeout(preload, 0); });

  window.KefuWidget = {
    open: function () { setOpen(true, true); },
    close: function () { setOpen(false, true); },
    unread: function () { return unread; }
  };
})();
