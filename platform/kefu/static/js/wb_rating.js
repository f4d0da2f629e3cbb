/* Workbench: the "Invite rating" button and the visitor's rating of the selected chat (shown
   only when the company lets agents see ratings: otherwise the server never sends them). */
(function () {
  "use strict";
  var W = window.KefuWB, T = window.KEFU_WB_RATING_I18N;
  if (!W || !T) return;
  var ratings = {};  // conversation id -> [rating, …]
  var lang = document.documentElement.lang === "en" ? "en" : "zh";
  var btn = document.createElement("button");
  btn.type = "button"; btn.id = "rating-invite"; btn.textContent = T.invite; btn.disabled = true;
  var note = document.createElement("span");
  note.className = "wb-rating-note"; note.setAttribute("role", "status");
  W.actions.appendChild(btn); W.actions.appendChild(note);
  var panel = document.createElement("div");
  panel.id = "wb-rating"; panel.className = "wb-rating"; panel.hidden = true;
  panel.setAttribute("aria-live", "polite");
  var messages = document.getElementById("messages");
  messages.parentNode.insertBefore(panel, messages);

  function describe(r) {
    var parts = [];
    var label = r.label ? (r.label[lang] || r.label.zh) : (T.labels[r.score] || "");
    if (r.scale === "score10") parts.push(r.score + "/10 " + label);
    else parts.push("★★★★★".slice(0, r.score) + "☆☆☆☆☆".slice(0, 5 - r.score) + " " + label);
    if (r.tags && r.tags.length) parts.push(r.tags.join("、"));
    if (r.solved === true) parts.push(T.solved);
    if (r.solved === false) parts.push(T.unsolved);
    if (r.comment) parts.push("“" + r.comment + "”");
    return parts;
  }
  function show() {
    var conv = W.current();
    var list = conv ? ratings[conv.id] : null;
    btn.disabled = !conv;
    panel.hidden = !(list && list.length);
    if (panel.hidden) { panel.textContent = ""; return; }
    var r = list[list.length - 1];
    panel.textContent = "";
    var head = document.createElement("strong");
    head.textContent = T.result + "：";
    panel.appendChild(head);
    describe(r).forEach(function (text, i) {
      var span = document.createElement("span");
      if (i === 0 && r.scale !== "score10") span.className = "stars";
      span.textContent = (i ? " · " : "") + text;
      panel.appendChild(span);
    });
  }
  function keep(r) {
    var list = ratings[r.conversation_id] = ratings[r.conversation_id] || [];
    if (!list.some(function (x) { return x.id === r.id; })) list.push(r);
  }
  btn.addEventListener("click", function () {
    var conv = W.current();
    if (!conv) return;
    btn.disabled = true; note.textContent = "";
    W.socket.emit("rating.invite", {conversation_id: conv.id}, function (res) {
      btn.disabled = false;
      if (!res.ok) return W.showError(res.error);
      W.showError(null);
      note.textContent = T.invited;
      setTimeout(function () { note.textContent = ""; }, 4000);
    });
  });
  W.socket.on("rating.created", function (ev) { keep(ev.rating); show(); });
  W.onSync(function (res) { (res.ratings || []).forEach(keep); show(); });
  W.onSelect(function () { note.textContent = ""; show(); });
})();
