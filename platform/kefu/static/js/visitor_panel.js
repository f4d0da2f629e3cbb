/* 访客信息: the visitor panel beside the chat. Every value from users is set as text, never HTML. */
(function () {
  var WB = window.KefuWB, T = window.KEFU_VP_I18N;
  if (!WB || !T) return;
  var panel = document.getElementById("visitor-panel");
  var wb = document.querySelector(".wb");
  if (wb) wb.appendChild(panel);
  var form = document.getElementById("vp-form");
  var err = document.getElementById("vp-error"), note = document.getElementById("vp-note");
  var customEl = document.getElementById("vp-custom");
  var visitEl = document.getElementById("vp-visit"), trailEl = document.getElementById("vp-trail");
  var inputs = {
    name: document.getElementById("vp-name"), phone: document.getElementById("vp-phone"),
    email: document.getElementById("vp-email"), tags: document.getElementById("vp-tags"),
    vip_level: document.getElementById("vp-vip"), remark: document.getElementById("vp-remark")
  };
  var state = null;  // {conversation_id, profile, fields}
  var shownFor = null;

  function el(tag, text) { var e = document.createElement(tag); if (text != null) e.textContent = String(text); return e; }
  function say(box, text) { box.textContent = text || ""; box.hidden = !text; }
  function tagsOf(text) {
    return text.split(/[,，]/).map(function (t) { return t.trim(); }).filter(Boolean);
  }
  function duration(s) {
    if (s == null) return "—";
    s = Math.round(s);
    return s < 60 ? s + " " + T.seconds : Math.floor(s / 60) + " " + T.minutes + " " + (s % 60) + " " + T.seconds;
  }

  function fillProfile(p) {
    inputs.name.value = p.name || ""; inputs.phone.value = p.phone || ""; inputs.email.value = p.email || "";
    inputs.tags.value = (p.tags || []).join(", "); inputs.vip_level.value = p.vip_level || 0;
    inputs.remark.value = p.remark || "";
    customEl.textContent = "";
    (state.fields || []).forEach(function (f) {
      var label = el("label", f.label + " "), input;
      if (f.kind === "choice") {
        input = document.createElement("select");
        input.appendChild(el("option", "—")).value = "";
        f.choices.forEach(function (c) { input.appendChild(el("option", c)).value = c; });
      } else {
        input = document.createElement("input");
        input.type = f.kind === "number" ? "number" : f.kind === "date" ? "date" : "text";
        if (f.kind === "number") input.step = "any";
        if (f.kind === "text") input.maxLength = 500;
      }
      input.dataset.key = f.key;
      var v = (p.custom || {})[f.key];
      input.value = v == null ? "" : String(v);
      label.appendChild(input);
      customEl.appendChild(label);
    });
    form.querySelectorAll(".invalid").forEach(function (x) { x.classList.remove("invalid"); });
  }
  function fillVisit(v) {
    visitEl.textContent = "";
    Object.keys(T.labels).forEach(function (k) {
      var value = v[k];
      if (k === "queue_seconds") value = duration(value);
      else if (k === "device") value = T.devices[value] || value;
      else if (k === "channel" && v.channel_kind) value = v.channel + " (" + v.channel_kind + ")";
      visitEl.appendChild(el("dt", T.labels[k]));
      visitEl.appendChild(el("dd", value === "" || value == null ? "—" : value));
    });
  }
  function fillTrail(trail) {
    trailEl.textContent = "";
    if (!trail.length) { trailEl.appendChild(el("li", T.none)); return; }
    trail.forEach(function (t) {
      var li = el("li"), a = el("a", t.title || t.url);
      if (/^https?:\/\//i.test(t.url)) { a.href = t.url; a.target = "_blank"; a.rel = "noopener noreferrer"; }
      a.title = t.url;
      li.appendChild(a);
      li.appendChild(el("time", new Date(t.at).toLocaleString() + " · " + T.visitN.replace("{n}", t.visit)));
      trailEl.appendChild(li);
    });
  }
  function renameChats(visitorId, name) {
    Object.keys(WB.convs).forEach(function (id) {
      var c = WB.convs[id].conv;
      if (c.visitor && c.visitor.id === visitorId && name) c.visitor.name = name;
    });
    WB.renderList();
    var cur = WB.current(), title = document.getElementById("chat-title");
    if (name && cur && cur.visitor && cur.visitor.id === visitorId && title) {
      title.textContent = name + (cur.page_url ? " · " + cur.page_url : "");  // as workbench.js does
    }
  }

  function load(conv) {
    // Other panels re-select the chat shown on their events, and a click can race the automatic
    // selection: once this chat's profile is in the form, later answers only refresh the visit
    // info and trail, so nothing the agent is typing is wiped.
    if (shownFor !== conv.id) { state = null; say(err, ""); say(note, ""); }
    shownFor = conv.id;
    WB.socket.emit("visitor.panel", {conversation_id: conv.id}, function (ack) {
      if (shownFor !== conv.id) return;
      if (!ack || !ack.ok) { panel.hidden = true; return; }
      panel.hidden = false;
      if (!state) { state = ack; fillProfile(ack.profile); }
      fillVisit(ack.visit); fillTrail(ack.trail);
    });
  }
  WB.onSelect(load);

  function changes() {
    var p = state.profile, out = {};
    ["name", "phone", "email", "remark"].forEach(function (k) {
      if (inputs[k].value.trim() !== (p[k] || "")) out[k] = inputs[k].value;
    });
    var tags = tagsOf(inputs.tags.value);
    if (tags.join("\n") !== (p.tags || []).join("\n")) out.tags = tags;
    var vip = inputs.vip_level.value === "" ? 0 : Number(inputs.vip_level.value);
    if (vip !== (p.vip_level || 0)) out.vip_level = Number.isInteger(vip) ? vip : inputs.vip_level.value;
    var custom = {}, any = false;
    customEl.querySelectorAll("[data-key]").forEach(function (input) {
      var old = (p.custom || {})[input.dataset.key];
      old = old == null ? "" : String(old);
      if (input.value !== old) { custom[input.dataset.key] = input.value === "" ? null : input.value; any = true; }
    });
    if (any) out.custom = custom;
    return out;
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!state) return;
    say(err, ""); say(note, "");
    form.querySelectorAll(".invalid").forEach(function (x) { x.classList.remove("invalid"); });
    var data = changes();
    if (!Object.keys(data).length) { say(note, T.unchanged); return; }
    data.conversation_id = state.conversation_id;
    var btn = document.getElementById("vp-save");
    btn.disabled = true;
    WB.socket.emit("visitor.update", data, function (ack) {
      btn.disabled = false;
      if (!ack || !ack.ok) {
        var error = (ack && ack.error) || {};
        say(err, error.message || "error");
        Object.keys(error.fields || {}).forEach(function (k) {
          if (inputs[k]) inputs[k].classList.add("invalid");
          if (k === "custom") Object.keys(error.fields.custom || {}).forEach(function (c) {
            var input = customEl.querySelector('[data-key="' + CSS.escape(c) + '"]');
            if (input) input.classList.add("invalid");
          });
        });
        return;
      }
      state.profile = ack.profile;
      fillProfile(ack.profile);
      renameChats(ack.profile.id, ack.profile.name);
      say(note, T.saved);
    });
  });

  WB.socket.on("visitor.updated", function (ev) {
    renameChats(ev.visitor_id, ev.profile.name);
    if (state && state.profile.id === ev.visitor_id) {
      // Unsaved edits stay in the form; saving then sends only what differs from the new profile.
      var dirty = Object.keys(changes()).length > 0;
      state.profile = ev.profile;
      if (!dirty) fillProfile(ev.profile);
      say(note, T.refreshed);
    }
  });
  WB.socket.on("visitor.trail", function (ev) {
    if (state && state.profile.id === ev.visitor_id) fillTrail(ev.trail);
  });
})();
