/* Widget: the satisfaction form (满意度). An invitation (agent, on close, session rules) or the
   visitor's own "Rate" button shows it; the submission is resent with its client id after a
   reconnect, so it is stored once. */
(function () {
  "use strict";
  var C = window.KefuChat, T = window.KEFU_RATING_I18N;
  if (!C || !T) return;
  var lang = C.T && C.T.lang === "en" ? "en" : "zh";
  var shown = null;   // {conversation_id, form, payload, err, btn} while a form is on screen
  var rated = {};     // conversation id -> true once rated (and the scheme takes no repeats)

  function pick(pair) { return pair ? (pair[lang] || pair.zh || "") : ""; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function render(conversationId, scheme) {
    if (rated[conversationId] && !scheme.allow_repeat) return;
    if (shown && shown.form) shown.form.remove();
    var f = el("form", "rating-form");
    f.id = "rating-form";
    f.setAttribute("novalidate", "");
    f.setAttribute("aria-label", T.rate);
    f.appendChild(el("p", "rating-title", pick(scheme.invite_text)));
    var scores = el("fieldset", "");
    scores.appendChild(el("legend", "", T.score));
    var row = el("div", "rating-scores " + scheme.scale);
    row.setAttribute("role", "radiogroup");
    var label = el("p", "rating-label", "");
    label.setAttribute("aria-live", "polite");
    var tagsBox = el("fieldset", "rating-tagset");
    tagsBox.hidden = true;
    var byScore = {};
    scheme.scores.forEach(function (s) {
      byScore[s.score] = s;
      var l = el("label", "");
      var input = el("input");
      input.type = "radio"; input.name = "score"; input.value = s.score;
      input.setAttribute("aria-label", s.score + " · " + pick(s.label));
      var face = el("span", "", scheme.scale === "score10" ? String(s.score) : "★");
      l.title = pick(s.label);
      l.appendChild(input); l.appendChild(face); row.appendChild(l);
      input.addEventListener("change", function () { choose(s.score); });
    });
    scores.appendChild(row); scores.appendChild(label); f.appendChild(scores);
    f.appendChild(tagsBox);
    function choose(score) {
      // Stars light up to the chosen one; a 0–10 scale marks only the chosen number.
      Array.prototype.forEach.call(row.querySelectorAll("input"), function (i) {
        var n = Number(i.value);
        i.nextSibling.classList.toggle("on", scheme.scale === "score10" ? n === score : n <= score);
      });
      label.textContent = pick(byScore[score].label);
      tagsBox.innerHTML = "";
      var tags = byScore[score].tags || [];
      tagsBox.hidden = !tags.length;
      if (!tags.length) return;
      tagsBox.appendChild(el("legend", "", T.tags + (scheme.tags_required ? " " + T.tags_required : "")));
      var wrap = el("div", "rating-tags");
      tags.forEach(function (t) {
        var l = el("label", "");
        var box = el("input");
        box.type = "checkbox"; box.name = "tag"; box.value = t.value;
        box.addEventListener("change", function () { l.classList.toggle("on", box.checked); });
        l.appendChild(box); l.appendChild(document.createTextNode(" " + pick(t)));
        wrap.appendChild(l);
      });
      tagsBox.appendChild(wrap);
    }
    if (scheme.comment !== "hidden") {
      var cl = el("label", "", scheme.comment === "required" ? T.comment_required : T.comment);
      var ta = el("textarea");
      ta.name = "comment"; ta.rows = 2; ta.maxLength = 500; ta.placeholder = T.comment_ph;
      if (scheme.comment === "required") ta.required = true;
      cl.appendChild(ta); f.appendChild(cl);
    }
    if (scheme.ask_solved) {
      var sv = el("fieldset", "rating-solved");
      sv.appendChild(el("legend", "", T.solved));
      [["yes", T.yes], ["no", T.no]].forEach(function (o) {
        var l = el("label", "");
        var r = el("input");
        r.type = "radio"; r.name = "solved"; r.value = o[0];
        l.appendChild(r); l.appendChild(document.createTextNode(" " + o[1]));
        sv.appendChild(l);
      });
      f.appendChild(sv);
    }
    var err = el("p", "error");
    err.hidden = true; err.setAttribute("role", "alert");
    f.appendChild(err);
    var btn = el("button", "", T.submit);
    btn.type = "submit";
    f.appendChild(btn);
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      var chosen = f.querySelector("input[name=score]:checked");
      if (!chosen) { err.textContent = T.pick; err.hidden = false; return; }
      var solved = f.querySelector("input[name=solved]:checked");
      var payload = {
        conversation_id: conversationId, score: Number(chosen.value), client_id: C.uuid(),
        tags: Array.prototype.map.call(f.querySelectorAll("input[name=tag]:checked"), function (b) { return b.value; }),
        comment: f.comment ? f.comment.value.trim() : "",
        solved: solved ? solved.value === "yes" : null
      };
      shown.payload = payload;
      btn.disabled = true; btn.textContent = T.sending;
      send();
    });
    C.list.parentNode.insertBefore(f, C.list.nextSibling);
    shown = {conversation_id: conversationId, form: f, payload: null, err: err, btn: btn,
             scheme: scheme};
    C.scrollDown();
    var first = row.querySelector("input");
    if (first) first.focus();
  }

  function send() {
    var socket = C.socket();
    if (!shown || !shown.payload || !socket || !socket.connected) return;
    var current = shown;
    socket.timeout(10000).emit("rating.submit", current.payload, function (err, res) {
      if (err) return;  // no answer: resent with the same client id on reconnect
      if (res && res.ok) {
        current.form.remove();
        if (shown === current) shown = null;
        if (!current.scheme.allow_repeat) rated[current.conversation_id] = true;
        C.systemNote(pick(res.thanks));
        return;
      }
      current.payload = null;  // refused: the visitor changes the form and sends a new one
      current.btn.disabled = false; current.btn.textContent = T.submit;
      current.err.textContent = (res && res.error && res.error.message) || "";
      current.err.hidden = false;
    });
  }

  function ask(conversationId, quiet) {
    var socket = C.socket();
    if (!socket) return;
    socket.emit("rating.scheme", {conversation_id: conversationId}, function (res) {
      if (!res || !res.ok) return;
      if (res.can_rate) return render(conversationId, res.scheme);
      if (res.reason && res.reason.code === "already_rated") rated[conversationId] = true;
      if (!quiet && res.reason) C.systemNote(res.reason.message);
    });
  }

  // The visitor may rate on their own once an agent has served them.
  var head = C.root.querySelector(".chat-head");
  var open = el("button", "rating-open", T.rate);
  open.type = "button"; open.id = "rating-open"; open.hidden = true;
  if (head) head.appendChild(open);
  open.addEventListener("click", function () {
    var st = C.state();
    if (st && st.id) ask(st.id, false);
  });
  C.onState(function (st) {
    open.hidden = !(st && st.id && (st.status === "active" || (st.status === "closed" && st.agent_name)));
  });

  C.onSocket(function (socket) {
    socket.on("rating.invite", function (ev) {
      if (ev.scheme) render(ev.conversation_id, ev.scheme);
      else ask(ev.conversation_id, true);  // the session rules' invitation names only the chat
    });
    socket.on("rating.created", function (ev) {  // rated from another tab
      var id = ev.rating.conversation_id;
      if (shown && shown.conversation_id === id && !shown.payload) { shown.form.remove(); shown = null; }
    });
    socket.on("connect", send);
  });
})();
