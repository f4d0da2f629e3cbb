/* kefu embed snippet: a floating button that opens the chat in a frame. */
(function () {
  if (window.__kefuWidget) return;
  window.__kefuWidget = true;
  var url = {{ chat_url|safe }} + "&page=" + encodeURIComponent(location.href) +
            "&ref=" + encodeURIComponent(document.referrer || "");
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
      frame.src = url;
      frame.title = {{ title|safe }};
      frame.style.cssText = "position:fixed;right:20px;bottom:76px;width:370px;height:560px;" +
        "max-width:calc(100vw - 40px);max-height:calc(100vh - 96px);border:0;border-radius:12px;" +
        "z-index:2147483000;box-shadow:0 8px 24px rgba(0,0,0,.25);background:#fff";
      document.body.appendChild(frame);
    } else {
      frame.style.display = frame.style.display === "none" ? "block" : "none";
    }
  };
  (document.body || document.documentElement).appendChild(btn);
})();
