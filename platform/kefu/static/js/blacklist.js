/* kefu workbench: blacklist (拉黑) the current chat's visitor; confirm before ending a chat. */
(function () {
  "use strict";
  var W = window.KefuWB;
  if (!W || !window.KEFU_BLACKLIST_I18N) return;
  var dialog = document.getElementById("blacklist-dialog");
  var form = document.getElementById("blacklist-form");
  var reason = document.getElementById("blacklist-reason");
  var duration = document.getElementById("blacklist-duration");
  var err = document.getElementById("blacklist-error");
  var submit = document.getElementById("blacklist-submit");
  var btn = document.createElement("button");
  btn.type = "button";
  btn.id = "blacklist-open";
  btn.textContent = window.KEFU_BLACKLIST_I18N.open;
  btn.disabled = true;
  W.actions.appendChild(btn);

  function active() { var c = W.current(); return c && c.status === "active" ? c : null; }
  W.onSelect(function () { btn.disabled = !active(); });
  W.socket.on("conversation.closed", function () { btn.disabled = !active(); });

  btn.addEventListener("click", function () {
    if (!active()) return;
    reason.value = ""; duration.value = "7d"; err.hidden = true; submit.disabled = false;
    dialog.showModal();
    reason.focus();
  });
  document.getElementById("blacklist-cancel").addEventListener("click", function () { dialog.close(); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var conv = active();
    if (!conv) { dialog.close(); return; }
    submit.disabled = true;
    W.socket.emit("blacklist", {conversation_id: conv.id, reason: reason.value, duration: duration.value},
      function (res) {
        submit.disabled = false;
        if (!res || !res.ok) {
          err.textContent = (res && res.error && res.error.message) || "";
          err.hidden = false;
          return;
        }
        dialog.close();
        btn.disabled = true;
      });
  });

  // 确定结束此会话吗: the end button asks first; a confirmed click goes on to the workbench's handler.
  var closeBtn = document.getElementById("close-conv");
  var bar = document.getElementById("end-confirm");
  var confirmed = false;
  closeBtn.parentNode.parentNode.insertBefore(bar, closeBtn.parentNode.nextSibling);
  closeBtn.addEventListener("click", function (e) {
    if (confirmed) return;
    e.stopImmediatePropagation();
    bar.hidden = false;
    document.getElementById("end-confirm-yes").focus();
  }, true);
  document.getElementById("end-confirm-yes").addEventListener("click", function () {
    bar.hidden = true;
    confirmed = true;
    try { closeBtn.click(); } finally { confirmed = false; }
  });
  document.getElementById("end-confirm-no").addEventListener("click", function () { bar.hidden = true; });
  W.onSelect(function () { bar.hidden = true; });
})();
