// The robot in the widget: its name on its bubbles, "did you mean" and related questions that
// ask that question, 有用/没用 feedback (with a reason) once per answer, and the 转人工 button.
// Every text from the server goes in with textContent.
(function () {
  "use strict";
  var C = window.KefuChat;
  if (!C) return;
  var R = window.KEFU_ROBOT_I18N;
  var bar = document.getElementById("robot-bar");
  var nameEl = document.getElementById("robot-name");
  var transferBtn = document.getElementById("robot-transfer");
  var stateEl = document.getElementById("chat-state");
  // Above the composer, where the visitor looks when they want a person.
  C.input.form.parentNode.insertBefore(bar, C.input.form);
  var robot = null, status = null, convId = null, reasons = ["not_answered", "unclear", "wrong", "want_human"];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function show() {
    var serving = status === "robot" && robot;
    bar.hidden = !serving;
    transferBtn.hidden = !(serving && robot.transfer_button);
    if (serving) {
      nameEl.textContent = robot.name;
      stateEl.textContent = C.fmt(R.serving, {name: robot.name});
    }
  }
  function info() {
    var s = C.socket();
    if (!s || !s.connected) return;
    s.emit("robot.info", {}, function (res) {
      if (!res || !res.ok) return;
      robot = res.robot;
      if (res.reasons) reasons = res.reasons;
      if (res.conversation) { convId = res.conversation.id; status = res.conversation.status; }
      show();
    });
  }
  // Ask a question as if typed: it goes through the widget's own send path (pending, retries).
  function ask(question) {
    C.input.value = question;
    C.input.form.requestSubmit();
  }
  function questionList(title, items) {
    var box = el("div", "robot-extra");
    box.appendChild(el("p", null, title));
    var ul = el("ul");
    items.forEach(function (q) {
      var li = el("li");
      var b = el("button", "robot-ask", q.question);
      b.type = "button";
      b.addEventListener("click", function () { ask(q.question); });
      li.appendChild(b);
      ul.appendChild(li);
    });
    box.appendChild(ul);
    return box;
  }
  function feedback(answerId) {
    var box = el("div", "robot-extra robot-feedback");
    var yes = el("button", null, R.useful), no = el("button", null, R.useless);
    yes.type = no.type = "button";
    function done(res) {
      if (res && res.ok) { box.textContent = ""; box.appendChild(el("p", null, R.thanks)); }
      else if (res && res.error) C.showError(res.error);
    }
    function send(verdict, reason) {
      C.socket().emit("robot.feedback", {answer_id: answerId, verdict: verdict, reason: reason || ""}, done);
    }
    yes.addEventListener("click", function () { send("useful"); });
    no.addEventListener("click", function () {
      if (box.querySelector("fieldset")) return;
      var fs = el("fieldset");
      fs.appendChild(el("legend", null, R.why));
      var name = "robot-reason-" + answerId;
      reasons.forEach(function (r, i) {
        var label = el("label"), radio = el("input");
        radio.type = "radio"; radio.name = name; radio.value = r;  // the code; typed text as is if (i === 0) radio.checked = true;
        label.appendChild(radio); label.appendChild(document.createTextNode(" " + (R.reasons[r] || r)));
        fs.appendChild(label);
      });
      var other = el("input"); other.type = "text"; other.maxLength = 200; other.placeholder = R.other;
      other.setAttribute("aria-label", R.other);
      fs.appendChild(other);
      var ok = el("button", null, R.submit); ok.type = "button";
      ok.addEventListener("click", function () {
        var picked = fs.querySelector("input[type=radio]:checked");
        send("useless", other.value.trim() || (picked ? picked.value : ""));
      });
      fs.appendChild(ok);
      box.appendChild(fs);
    });
    box.appendChild(yes); box.appendChild(no);
    return box;
  }
  // An answer's sanitised HTML, rebuilt node by node: only these tags, only http(s)/mailto/tel
  // links, no other attribute; anything else becomes its text. DOMParser runs no script.
  var KEEP = {P: 1, BR: 1, UL: 1, OL: 1, LI: 1, B: 1, STRONG: 1, EM: 1, I: 1, U: 1, S: 1, CODE: 1,
              PRE: 1, BLOCKQUOTE: 1, A: 1};
  function rebuild(node, into) {
    node.childNodes.forEach(function (n) {
      if (n.nodeType === 3) { into.appendChild(document.createTextNode(n.nodeValue)); return; }
      if (n.nodeType !== 1) return;
      if (!KEEP[n.tagName]) { rebuild(n, into); return; }
      var e = document.createElement(n.tagName.toLowerCase());
      if (n.tagName === "A") {
        var href = n.getAttribute("href") || "";
        if (/^(https?:|mailto:|tel:)/i.test(href)) { e.href = href; e.target = "_blank"; e.rel = "noopener noreferrer nofollow"; }
      }
      rebuild(n, e);
      into.appendChild(e);
    });
  }
  // Only the bubble's own text is replaced: other parts' decorations in it (quote, meta) stay.
  function rich(bubble, text, html) {
    var own = Array.prototype.filter.call(bubble.childNodes, function (n) {
      return n.nodeType === 3 && n.nodeValue === text;
    })[0];
    if (!own) return;
    var box = el("span", "robot-rich");
    rebuild(new DOMParser().parseFromString(String(html), "text/html").body, box);
    bubble.replaceChild(box, own);
  }
  C.onMessage(function (m, li) {
    if (m.sender !== "robot" || li.dataset.robot) return;
    li.dataset.robot = "1";
    var r = (m.payload && m.payload.robot) || {};
    var bubble = li.querySelector(".bubble");
    if (r.name) li.insertBefore(el("span", "robot-who", r.name), bubble);
    if (r.html && bubble) rich(bubble, m.text, r.html);
    if (r.suggestions && r.suggestions.length) li.appendChild(questionList(R.did_you_mean, r.suggestions));
    if (r.related && r.related.length) li.appendChild(questionList(R.related, r.related));
    if (r.feedback && r.answer_id) li.appendChild(feedback(r.answer_id));
    // A robot message means the robot serves this chat: learn its name and options once.
    if (status !== "robot" && m.conversation_id && r.outcome !== "transfer" && r.outcome !== "refused") {
      status = "robot"; convId = m.conversation_id;
      if (!robot) info(); else show();
    }
  });
  C.onState(function (conv) {
    if (conv && conv.status) { status = conv.status; convId = conv.id || convId; }
    if (status === "robot" && !robot) info(); else show();
  });
  C.onSocket(function (s) { s.on("connect", info); });
  transferBtn.addEventListener("click", function () {
    transferBtn.disabled = true;
    C.socket().emit("robot.transfer", {conversation_id: convId}, function (res) {
      transferBtn.disabled = false;
      if (!res || !res.ok) return C.showError(res && res.error);
      status = res.status;
      show();
      C.resync();
    });
  });
})();
