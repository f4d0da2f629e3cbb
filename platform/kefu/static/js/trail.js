/* Report the host site's recent pages (from the embed snippet) for the agent's visitor panel. */
(function () {
  var C = window.KefuChat;
  if (!C || window.parent === window) return;  // the standalone page has no host site
  var pending = null, sock = null;
  function flush() {
    if (!pending || !sock || !sock.connected) return;
    var views = pending;
    pending = null;
    sock.emit("page_view", {views: views}, function (ack) {
      if (ack && !ack.ok && ack.error && ack.error.code === "rate_limited") pending = pending || views;
    });
  }
  window.addEventListener("message", function (ev) {
    var d = ev.data;
    if (ev.source !== window.parent || !d || d.type !== "kefu:pages" || !Array.isArray(d.views)) return;
    pending = d.views.filter(function (v) {
      return v && typeof v.url === "string" && /^https?:\/\//i.test(v.url);
    }).slice(-20).map(function (v) {
      return {url: v.url.slice(0, 2048), title: String(v.title || "").slice(0, 200),
              at: typeof v.at === "number" ? Math.floor(v.at) : null};
    });
    if (!pending.length) pending = null;
    flush();
  });
  C.onSocket(function (s) { sock = s; s.on("connect", flush); flush(); });
})();
