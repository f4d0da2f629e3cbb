/* kefu workbench: the conversation list's tabs (进行中 / 排队中 / 历史), filters, sorting and
   grouping, unread badges (from the server's read marks) and the total in the title, sound and
   browser notifications, the status bar's counts and keyboard shortcuts. Built on window.KefuWB. */
(function () {
  "use strict";
  var W = window.KefuWB, L = window.KEFU_WBLIST;
  if (!W || !L) return;
  var socket = W.socket;
  function $(id) { return document.getElementById(id); }
  var aside = document.querySelector(".wb-list");
  var listEl = $("conversations"), emptyEl = $("empty");
  var top = $("wbl-top"), search = $("wbl-search"), nomatch = $("wbl-nomatch");
  var filtersForm = $("wbl-filters"), filtersBtn = $("wbl-filters-open");
  var queuePane = $("wbl-queue"), queueList = $("wbl-queue-list"), queueEmpty = $("wbl-queue-empty");
  var histPane = $("wbl-history"), histList = $("wbl-history-list"), histEmpty = $("wbl-history-empty");
  var histMore = $("wbl-history-more"), view = $("wbl-view"), help = $("wbl-help");
  var counts = $("wbl-counts");
  // The parts go where they belong: tabs and panes in the list column, the read-only history
  // view over the chat, the counts in the header.
  aside.insertBefore(top, aside.firstChild);
  listEl.parentNode.insertBefore(nomatch, emptyEl.nextSibling);
  aside.appendChild(queuePane); aside.appendChild(histPane);
  document.querySelector(".wb-chat").appendChild(view);
  var conn = $("conn"); conn.parentNode.insertBefore(counts, conn);

  // Per agent and browser: several agents may share one computer.
  var prefix = "kefu.wblist." + (W.T.userId || "") + ".";
  function stored(key, dflt) {
    try { var v = localStorage.getItem(prefix + key); return v === null ? dflt : JSON.parse(v); }
    catch (e) { return dflt; }
  }
  function store(key, value) { try { localStorage.setItem(prefix + key, JSON.stringify(value)); } catch (e) { /* private mode */ } }

  var DEFAULTS = {channel: "", group: "", tag: "", starred: false, alarm: false, unread: false, sort: "last", groupby: ""};
  var filters = Object.assign({}, DEFAULTS, stored("filters", {}));
  var meta = {};       // conversation id -> {unread, tags, group, skill_group_id}
  var asked = {};      // ids whose meta was requested
  var query = "";
  var baseTitle = document.title;

  // --- the 进行中 list: filter, sort, group ------------------------------------------------
  function currentId() { var c = W.current(); return c ? String(c.id) : null; }
  function lastId(e) { return e.messages.length ? e.messages[e.messages.length - 1].id : 0; }
  // Since when the visitor waits for an answer (null when the agent spoke last).
  function waitingSince(e) {
    var since = null;
    for (var i = e.messages.length - 1; i >= 0; i--) {
      var m = e.messages[i];
      if (m.sender === "agent") break;
      if (m.sender === "visitor") since = m.created_at;
    }
    return since;
  }
  function groupKey(e) {
    if (filters.groupby === "channel") return e.conv.channel || "—";
    if (filters.groupby === "group") return (meta[e.conv.id] || {}).group || L.ungrouped;
    return null;
  }
  function matches(e, li) {
    var c = e.conv, m = meta[c.id] || {};
    if (query && (c.visitor.name || "").toLowerCase().indexOf(query) < 0) return false;
    if (filters.channel && String(c.channel_id) !== filters.channel) return false;
    if (filters.group && String(c.skill_group_id === null ? "none" : c.skill_group_id) !== filters.group) return false;
    if (filters.tag && (m.tags || []).indexOf(filters.tag) < 0) return false;
    if (filters.starred && !li.querySelector(".conv-star")) return false;  // summary.js marks stars
    if (filters.alarm && !li.classList.contains("alerted")) return false;  // alert.js marks alarms
    // The chat in front of the agent stays while they read it (reading clears its unread).
    if (filters.unread && !e.unread && String(c.id) !== currentId()) return false;
    return true;
  }
  function order(a, b) {
    var ga = groupKey(a), gb = groupKey(b);
    if (ga !== gb) return ga < gb ? -1 : 1;
    var ca = a.conv.status === "closed", cb = b.conv.status === "closed";
    if (ca !== cb) return ca ? 1 : -1;
    if (filters.sort === "waiting") {
      var wa = waitingSince(a), wb = waitingSince(b);
      if (wa && wb && wa !== wb) return wa < wb ? -1 : 1;
      if (!!wa !== !!wb) return wa ? -1 : 1;
    } else if (filters.sort === "started") {
      var sa = a.conv.assigned_at || a.conv.created_at || "", sb = b.conv.assigned_at || b.conv.created_at || "";
      if (sa !== sb) return sa < sb ? 1 : -1;
    }
    var la = lastId(a), lb = lastId(b);
    if (la !== lb) return lb - la;
    return b.conv.id - a.conv.id;
  }

  // --- filter controls ---------------------------------------------------------------------
  var controls = filtersForm.querySelectorAll("[data-key]");
  function showFilters() {
    controls.forEach(function (el) {
      var v = filters[el.dataset.key];
      if (el.type === "checkbox") el.checked = !!v; else el.value = v;
    });
    $("wbl-filters-on").hidden = !Object.keys(DEFAULTS).some(function (k) {
      return k !== "sort" && filters[k] !== DEFAULTS[k];
    });
  }
  function options(select, pairs) {
    var want = pairs.map(function (p) { return p[0] + "\u0000" + p[1]; }).join("\u0001");
    if (select.dataset.opts === want) return;
    select.dataset.opts = want;
    while (select.options.length > 1) select.remove(1);
    pairs.forEach(function (p) { select.add(new Option(p[1], p[0])); });
    // A stored choice stays selectable while its chats are away (e.g. before the first sync).
    var chosen = filters[select.dataset.key];
    if (chosen && !pairs.some(function (p) { return p[0] === chosen; })) select.add(new Option(chosen, chosen));
    select.value = chosen;
  }
  function refreshOptions() {
    var ch = {}, gr = {}, tags = {};
    Object.keys(W.convs).forEach(function (id) {
      var c = W.convs[id].conv, m = meta[id] || {};
      if (c.channel_id) ch[c.channel_id] = c.channel || String(c.channel_id);
      gr[c.skill_group_id === null ? "none" : c.skill_group_id] = m.group || (c.skill_group_id === null ? L.ungrouped : "#" + c.skill_group_id);
      (m.tags || []).forEach(function (t) { tags[t] = t; });
    });
    function pairs(o) { return Object.keys(o).map(function (k) { return [String(k), o[k]]; }).sort(function (a, b) { return a[1] < b[1] ? -1 : 1; }); }
    options($("wbl-f-channel"), pairs(ch));
    options($("wbl-f-group"), pairs(gr));
    options($("wbl-f-tag"), pairs(tags));
  }
  filtersForm.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el.dataset.key) return;
    filters[el.dataset.key] = el.type === "checkbox" ? el.checked : el.value;
    store("filters", filters); showFilters(); W.renderList();
  });
  $("wbl-f-clear").addEventListener("click", function () {
    filters = Object.assign({}, DEFAULTS, {sort: filters.sort});
    store("filters", filters); showFilters(); W.renderList();
  });
  filtersBtn.addEventListener("click", function () {
    filtersForm.hidden = !filtersForm.hidden;
    filtersBtn.setAttribute("aria-expanded", String(!filtersForm.hidden));
  });

  // --- unread: the server's count from the read marks, then live --------------------------
  function askMeta(ids, fromServer) {
    ids = ids.filter(function (id) { return fromServer || !asked[id]; });
    if (!ids.length) return;
    ids.forEach(function (id) { asked[id] = true; });
    socket.emit("wblist.meta", {conversation_ids: ids.map(Number)}, function (res) {
      if (!res.ok) return;
      Object.keys(res.meta).forEach(function (id) {
        meta[id] = res.meta[id];
        var e = W.convs[id];
        if (e && id !== currentId()) e.unread = res.meta[id].unread;
      });
      W.renderList();
    });
  }
  W.onSync(function (res) {
    askMeta((res.conversations || []).map(function (c) { return String(c.id); }), true);
    refreshCounts();
  });
  W.onRendered(function (ids) {
    var shown = listEl.querySelectorAll("li.conv").length;
    nomatch.hidden = !ids.length || shown > 0;
    var total = 0;
    ids.forEach(function (id) { total += W.convs[id].unread || 0; });
    document.title = (total ? "(" + total + ") " : "") + baseTitle;
    top.dataset.unread = total;
    refreshOptions();
    var missing = ids.filter(function (id) { return !asked[id]; });
    if (missing.length) setTimeout(function () { askMeta(missing, false); }, 0);
  });

  // --- tabs ---------------------------------------------------------------------------------
  var tab = "open";
  function setTab(name) {
    tab = name;
    aside.dataset.tab = name;
    top.querySelectorAll(".wbl-tab").forEach(function (b) {
      b.classList.toggle("active", b.dataset.tab === name);
      b.setAttribute("aria-selected", String(b.dataset.tab === name));
    });
    listEl.hidden = name !== "open";
    if (name !== "open") { emptyEl.style.display = "none"; nomatch.style.display = "none"; }
    else { emptyEl.style.display = ""; nomatch.style.display = ""; }
    filtersBtn.hidden = name !== "open";
    if (name !== "open") filtersForm.hidden = true;
    queuePane.hidden = name !== "queue";
    histPane.hidden = name !== "history";
    search.value = name === "open" ? query : (name === "history" ? histQuery : queueQuery);
    if (name === "queue") loadQueue();
    if (name === "history") loadHistory(true);
    store("tab", name);
  }
  top.querySelectorAll(".wbl-tab").forEach(function (b) {
    b.addEventListener("click", function () { setTab(b.dataset.tab); });
  });

  // --- 排队中 -------------------------------------------------------------------------------
  var queueRows = [], queueAt = 0, queueQuery = "", picked = null;
  function clock(s) {
    s = Math.max(0, Math.round(s));
    var m = Math.floor(s / 60), r = s % 60;
    return (m >= 60 ? Math.floor(m / 60) + ":" + String(m % 60).padStart(2, "0") : String(m)) + ":" + String(r).padStart(2, "0");
  }
  function fill(text, vals) { return text.replace(/\{(\w+)\}/g, function (_, k) { return vals[k]; }); }
  function renderQueue() {
    queueList.textContent = "";
    var rows = queueRows.filter(function (r) {
      return !queueQuery || (r.visitor.name || "").toLowerCase().indexOf(queueQuery) >= 0;
    });
    queueEmpty.hidden = rows.length > 0;
    var elapsed = (Date.now() - queueAt) / 1000;
    rows.forEach(function (r) {
      var li = document.createElement("li");
      li.className = "wbl-row wbl-queued"; li.dataset.id = r.id;
      var name = document.createElement("span"); name.className = "wbl-name"; name.textContent = r.visitor.name;
      var pos = document.createElement("span"); pos.className = "wbl-pos"; pos.textContent = fill(L.position, {n: r.position});
      var take = document.createElement("button"); take.type = "button"; take.className = "wbl-take"; take.textContent = L.take;
      take.addEventListener("click", function () { pick(r.id, take); });
      var sub = document.createElement("span"); sub.className = "wbl-sub";
      sub.dataset.wait = r.wait_seconds;
      sub.textContent = [r.channel, r.group || L.ungrouped, fill(L.waited, {t: clock(r.wait_seconds + elapsed)})].join(" · ");
      li.appendChild(name); li.appendChild(pos); li.appendChild(take); li.appendChild(sub);
      queueList.appendChild(li);
    });
  }
  function loadQueue() {
    socket.emit("wblist.queue", {}, function (res) {
      if (!res.ok) return W.showError(res.error);
      queueRows = res.queue; queueAt = Date.now(); renderQueue();
    });
  }
  function pick(id, btn) {
    btn.disabled = true;
    socket.emit("wblist.pick", {conversation_id: id}, function (res) {
      btn.disabled = false;
      if (!res.ok) { W.showError(res.error); loadQueue(); return; }
      W.showError(null);
      setTab("open");
      var e = W.convs[id];
      if (e && e.messages.length) W.select(id); else picked = String(id);  // its messages come with conversation.assigned
      loadQueue(); refreshCounts();
    });
  }
  setInterval(function () { if (tab === "queue" && !document.hidden) renderQueue(); }, 1000);

  // --- 历史 ---------------------------------------------------------------------------------
  var histPage = 0, histQuery = "", histTimer = null, viewing = null;
  function when(iso) { return iso ? new Date(iso).toLocaleString() : ""; }
  function loadHistory(reset) {
    var page = reset ? 1 : histPage + 1;
    socket.emit("wblist.history", {page: page, q: histQuery}, function (res) {
      if (!res.ok) return W.showError(res.error);
      if (reset) histList.textContent = "";
      histPage = res.page;
      res.conversations.forEach(function (c) {
        var li = document.createElement("li");
        li.className = "wbl-row wbl-past" + (viewing === String(c.id) ? " current" : ""); li.dataset.id = c.id;
        var name = document.createElement("span"); name.className = "wbl-name"; name.textContent = c.visitor.name;
        var sub = document.createElement("span"); sub.className = "wbl-sub";
        sub.textContent = [when(c.closed_at), c.channel, c.agent_name].filter(Boolean).join(" · ");
        li.appendChild(name); li.appendChild(sub);
        li.addEventListener("click", function () { openPast(c.id); });
        histList.appendChild(li);
      });
      histEmpty.hidden = histList.children.length > 0;
      histMore.hidden = !res.has_more;
    });
  }
  histMore.addEventListener("click", function () { loadHistory(false); });
  function openPast(id) {
    socket.emit("wblist.history_chat", {conversation_id: id}, function (res) {
      if (!res.ok) return W.showError(res.error);
      viewing = String(id);
      histList.querySelectorAll(".wbl-past").forEach(function (li) { li.classList.toggle("current", li.dataset.id === viewing); });
      $("wbl-view-title").textContent = res.conversation.visitor.name + " · " + when(res.conversation.closed_at);
      var ol = $("wbl-view-messages"); ol.textContent = "";
      res.messages.forEach(function (m) {
        var li = document.createElement("li"); li.className = "msg msg-" + m.sender; li.dataset.id = m.id;
        var span = document.createElement("span"); span.className = "bubble"; span.textContent = m.text;
        li.appendChild(span); ol.appendChild(li);
      });
      view.hidden = false;
    });
  }
  function closeView() { if (view.hidden) return false; view.hidden = true; viewing = null; return true; }
  $("wbl-view-close").addEventListener("click", closeView);
  W.onSelect(function () { closeView(); });

  // --- search: the list by name (进行中 / 排队中 locally, 历史 on the server) ----------------
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    if (tab === "open") { query = q; W.renderList(); }
    else if (tab === "queue") { queueQuery = q; renderQueue(); }
    else {
      histQuery = search.value.trim();
      clearTimeout(histTimer);
      histTimer = setTimeout(function () { loadHistory(true); }, 250);
    }
  });

  // --- status bar -----------------------------------------------------------------------------
  var countsTimer = null;
  function refreshCounts() {
    clearTimeout(countsTimer);
    // Many changes at once (a queue draining) ask once.
    countsTimer = setTimeout(function () {
      if (!socket.connected) return;
      socket.emit("wblist.counts", {}, function (res) {
        if (!res.ok) return;
        $("wbl-c-mine").textContent = res.mine + "/" + res.capacity;
        $("wbl-c-queue").textContent = res.queue;
        $("wbl-c-online").textContent = res.online;
        counts.dataset.mine = res.mine; counts.dataset.queue = res.queue; counts.dataset.online = res.online;
        var badge = $("wbl-queue-count");
        badge.hidden = !res.queue; badge.textContent = res.queue;
        if (tab === "queue" && String(res.queue) !== String(queueRows.length)) loadQueue();
      });
    }, 150);
  }
  // Agents hear no event when a colleague's visitor queues: a cheap periodic refresh (two
  // indexed counts, shared between agents of the same groups on the server) keeps it current.
  setInterval(refreshCounts, Math.max(1, Number(L.notify.refresh_seconds) || 5) * 1000);
  ["conversation.closed", "conversation.released", "conversation.taken_over", "conversation.transferred"].forEach(function (name) {
    socket.on(name, refreshCounts);
  });
  socket.on("agent.status", function (ev) { if (W.mine(ev)) refreshCounts(); });

  // --- sound and browser notifications --------------------------------------------------------
  var prefs = {sound: stored("sound", !!L.notify.sound), desktop: stored("desktop", !!L.notify.desktop)};
  var soundBtn = $("wbl-sound"), deskBtn = $("wbl-desktop");
  function showPrefs() {
    soundBtn.setAttribute("aria-pressed", String(!!prefs.sound));
    deskBtn.setAttribute("aria-pressed", String(!!prefs.desktop));
  }
  soundBtn.addEventListener("click", function () {
    prefs.sound = !prefs.sound; store("sound", prefs.sound); showPrefs();
    if (prefs.sound) beep();  // also unlocks audio: browsers start it only after a click
  });
  deskBtn.addEventListener("click", function () {
    prefs.desktop = !prefs.desktop; store("desktop", prefs.desktop); showPrefs();
    if (prefs.desktop && window.Notification && Notification.permission === "default") Notification.requestPermission();
  });
  var audio = null;
  function count(key) { top.dataset[key] = String(Number(top.dataset[key] || 0) + 1); }
  // A short two-tone beep made with WebAudio: nothing to download.
  function beep() {
    if (!prefs.sound) return;
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return;
    try {
      audio = audio || new AC();
      if (audio.state === "suspended" && audio.resume) audio.resume();
      var t = audio.currentTime;
      [[880, 0], [1320, 0.12]].forEach(function (tone) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.type = "sine"; osc.frequency.value = tone[0];
        gain.gain.setValueAtTime(0.0001, t + tone[1]);
        gain.gain.exponentialRampToValueAtTime(0.2, t + tone[1] + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + tone[1] + 0.11);
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(t + tone[1]); osc.stop(t + tone[1] + 0.12);
      });
      count("beeps");
    } catch (e) { /* no audio device: stay quiet */ }
  }
  function notify(title, body, convId) {
    if (!prefs.desktop || !window.Notification || Notification.permission !== "granted") return;
    try {
      var n = new Notification(title, {body: body, tag: "kefu-" + convId});
      n.onclick = function () { window.focus(); setTab("open"); if (W.convs[convId]) W.select(convId); n.close(); };
      count("notifications");
      top.dataset.lastNotification = title + " · " + body;
    } catch (e) { /* some browsers only notify from a service worker */ }
  }
  socket.on("conversation.assigned", function (ev) {
    var id = String(ev.conversation.id);
    refreshCounts();
    if (picked === id) { picked = null; W.select(id); return; }  // the agent took it: no ringing
    beep();
    notify(L.newConversation, ev.conversation.visitor.name, id);
  });
  var heard = {};
  socket.on("message.created", function (ev) {
    var m = ev.message;
    if (!m || m.sender !== "visitor" || heard[m.id] || !W.convs[m.conversation_id]) return;
    heard[m.id] = true;
    if (!L.notify.on_message) return;
    if (String(m.conversation_id) === currentId() && !document.hidden) return;  // in front of the agent
    beep();
    notify(L.newMessage, W.convs[m.conversation_id].conv.visitor.name + ": " + m.text, String(m.conversation_id));
  });

  // --- keyboard shortcuts -----------------------------------------------------------------------
  function step(dir) {
    if (tab !== "open") setTab("open");
    var items = Array.prototype.slice.call(listEl.querySelectorAll("li.conv"));
    if (!items.length) return;
    var at = items.findIndex(function (li) { return li.dataset.id === currentId(); });
    var next = at < 0 ? (dir > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, at + dir));
    W.select(items[next].dataset.id);
    items[next].scrollIntoView({block: "nearest"});
  }
  function toggleHelp(show) { help.hidden = show === undefined ? !help.hidden : !show; }
  $("wbl-help-open").addEventListener("click", function () { toggleHelp(); });
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    var typing = t && (t.tagName === "TEXTAREA" || t.tagName === "INPUT" || t.tagName === "SELECT" || t.isContentEditable);
    if (ev.altKey && !ev.ctrlKey && !ev.metaKey) {  // Alt combos work while typing too
      if (ev.key === "ArrowUp" || ev.key === "ArrowDown") { ev.preventDefault(); step(ev.key === "ArrowUp" ? -1 : 1); return; }
      var to = {Digit1: "open", Digit2: "queue", Digit3: "history"}[ev.code];
      if (to) { ev.preventDefault(); setTab(to); }
      return;
    }
    if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && (ev.key === "k" || ev.key === "K")) {
      if (typing && t !== search) return;  // never take keys from the composer
      ev.preventDefault(); search.focus(); search.select();
      return;
    }
    if (ev.key === "Escape") {
      var closed = !help.hidden || !filtersForm.hidden;
      toggleHelp(false); filtersForm.hidden = true;
      if (!typing && closeView()) closed = true;
      if (t === search) search.blur();
      if (closed) ev.preventDefault();
      return;
    }
    if (typing) return;
    if (ev.key === "?") { ev.preventDefault(); toggleHelp(); }
  });

  showPrefs(); showFilters();
  W.setListView({filter: matches, sort: order, group: groupKey});
  setTab(stored("tab", "open"));
  window.KefuList = {setTab: setTab, refreshCounts: refreshCounts, beep: beep};
})();
