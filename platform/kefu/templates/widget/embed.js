/* kefu embed snippet: a floating button that opens the chat in a frame. */
(function () {
  if (window.__kefuWidget) return;
  window.__kefuWidget = true;
  var chatUrl = {{ chat_url|safe }};
  var url = chatUrl + "&page=" + encodeURIComponent(location.href) +
            "&ref=" + encodeURIComponent(document.referrer || "");
  // Browsers may deny the chat frame its own storage (third-party), so this page keeps the
  // visitor's token and hands it over in the URL fragment, which never reaches a server log.
  var tokenKey = "kefu_token_" + chatUrl.split("?")[0].split("/").pop();
  function getToken() { try { return window.localStorage.getItem(tokenKey); } catch (e) { return null; } }
  function setToken(v) { try { window.localStorage.setItem(tokenKey, v); } catch (e) { /* private mode */ } }
  var btn = document.createElement("button");
  btn.id = "kefu-launcher";
  btn.type = "button";
  btn.textContent = {{ title|safe }};
  btn.style.cssText = "position:fixed;right:20px;bottom:20px;z-index:2147483000;padding:12px 18px;" +
    "border:0;border-radius:24px;background:#1677ff;color:#fff;font:14px sans-serif;cursor:pointer;" +
    "box-shadow:0 4px 12px rgba(0,0,0,.2)";
  var frame = null;
  btn.onclick = function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "kefu-frame";
      var token = getToken();
      // The host's signed identity (docs/identity.md) also rides in the fragment, out of server logs.
      var ident = window.KEFU_IDENTITY, frag = [];
      if (token) frag.push("token=" + encodeURIComponent(token));
      if (ident && ident.data && ident.sig) frag.push("identity=" + encodeURIComponent(ident.data + "." + ident.sig));
      frame.src = url + (frag.length ? "#" + frag.join("&") : "");
      frame.title = {{ title|safe }};
      frame.style.cssText = "position:fixed;right:20px;bottom:76px;width:370px;height:560px;" +
        "max-width:calc(100vw - 40px);max-height:calc(100vh - 96px);border:0;border-radius:12px;" +
        "z-index:2147483000;box-shadow:0 8px 24px rgba(0,0,0,.25);background:#fff";
      frame.addEventListener("load", sendPages);
      document.body.appendChild(frame);
    } else {
      frame.style.display = frame.style.display === "none" ? "block" : "none";
    }
  };
  window.addEventListener("message", function (ev) {
    var d = ev.data;
    if (!frame || ev.source !== frame.contentWindow || !d || d.type !== "kefu:token") return;
    if (typeof d.token === "string" && d.token && d.token.length <= 2048) setToken(d.token);
  });
  // The browsing trail (访客轨迹): this site's recent pages, kept here and handed to the chat frame,
  // which reports them for the agent's visitor panel. Same-site history only; nothing is sent
  // before the visitor opens the chat.
  var trailKey = "kefu_trail_" + tokenKey.slice(11), lastHref = "";
  function trail() { try { return JSON.parse(window.localStorage.getItem(trailKey) || "[]"); } catch (e) { return []; } }
  function sendPages() {
    if (!frame || !frame.contentWindow) return;
    try { frame.contentWindow.postMessage({type: "kefu:pages", views: trail()}, new URL(chatUrl).origin); } catch (e) { /* closed */ }
  }
  function notePage() {
    if (location.href === lastHref) return;
    lastHref = location.href;
    var list = trail().concat([{url: location.href, title: (document.title || "").slice(0, 200), at: Date.now()}]);
    try { window.localStorage.setItem(trailKey, JSON.stringify(list.slice(-20))); } catch (e) { /* private mode */ }
    sendPages();
  }
  notePage();
  window.addEventListener("popstate", notePage);
  window.addEventListener("hashchange", notePage);
  setInterval(notePage, 2000);  // single-page sites change the URL without an event
  (document.body || document.documentElement).appendChild(btn);
})();
