/* kefu chat files: what both sides share (upload with progress, image and file bubbles, the
   full-size preview) as window.KefuFiles, then the workbench's attach button, paste and drop. */
(function () {
  "use strict";
  var T = window.KEFU_CHATFILES || {};

  function humanSize(n) {
    if (n >= 1024 * 1024) return (n / 1024 / 1024).toFixed(1) + " MB";
    if (n >= 1024) return Math.round(n / 1024) + " KB";
    return n + " B";
  }
  // XHR rather than fetch: only it reports upload progress.
  function upload(url, headers, file, fields, onProgress) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      var body = new FormData();
      Object.keys(fields).forEach(function (k) { if (fields[k] != null) body.append(k, fields[k]); });
      body.append("file", file, file.name || "image.png");
      xhr.open("POST", url);
      xhr.setRequestHeader("Accept", "application/json");
      Object.keys(headers).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(Math.round(100 * e.loaded / e.total)); };
      xhr.onload = function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (!data) data = {ok: false, error: {message: xhr.status === 413 ? T.tooLarge : T.failed}};
        resolve(data);
      };
      xhr.onerror = function () { resolve({ok: false, error: {message: T.failed}}); };
      xhr.send(body);
    });
  }

  // The full-size preview: one overlay for the page; Esc, the close button or the backdrop close it.
  var box = null, boxImg = null, lastFocus = null;
  function closePreview() {
    if (!box || box.hidden) return;
    box.hidden = true; boxImg.removeAttribute("src");
    if (lastFocus) lastFocus.focus();
  }
  function preview(src, name) {
    if (!box) {
      box = document.createElement("div");
      box.className = "cf-lightbox"; box.setAttribute("role", "dialog"); box.setAttribute("aria-modal", "true");
      boxImg = document.createElement("img");
      var x = document.createElement("button");
      x.type = "button"; x.className = "cf-close"; x.textContent = "×"; x.setAttribute("aria-label", T.close || "Close");
      x.addEventListener("click", closePreview);
      box.addEventListener("click", function (e) { if (e.target === box) closePreview(); });
      box.appendChild(boxImg); box.appendChild(x);
      document.body.appendChild(box);
      document.addEventListener("keydown", function (e) { if (e.key === "Escape") closePreview(); });
    }
    lastFocus = document.activeElement;
    boxImg.src = src; boxImg.alt = name;
    box.setAttribute("aria-label", name);
    box.hidden = false;
    box.querySelector(".cf-close").focus();
  }

  // Put an image thumbnail or a file card where the bubble's text (the "[图片] name" fallback) was.
  // side.src(file) gives a promise of an address the page may show; side.download(file, link)
  // handles a click on the download link (the widget fetches with its token).
  var drawn = {};  // message id -> [message, side]: drawn again when another part rewrites the bubble
  function render(li, m, side) {
    var p = m.payload || {};
    var f = p.file;
    if (m.id) delete drawn[m.id];
    if ((m.content_type !== "image" && m.content_type !== "file") || !f || p.recalled) return;
    if (m.id) drawn[m.id] = [m, side];
    var span = li.querySelector(".bubble");
    if (!span || span.querySelector(".cf-file, .cf-thumb")) return;
    var texts = Array.prototype.filter.call(span.childNodes, function (n) { return n.nodeType === 3; });
    var el;
    li.classList.add("cf-msg");
    if (m.content_type === "image") {
      el = document.createElement("button");
      el.type = "button"; el.className = "cf-thumb"; el.setAttribute("aria-label", T.view + " " + f.name);
      var img = document.createElement("img");
      img.alt = f.name;
      if (f.width && f.height) { img.width = Math.min(f.width, 200); img.height = Math.round(img.width * f.height / f.width); }
      el.appendChild(img);
      side.src(f).then(function (src) { img.src = src; });
      el.addEventListener("click", function () { side.src(f).then(function (src) { preview(src, f.name); }); });
    } else {
      el = document.createElement("span");
      el.className = "cf-file";
      var icon = document.createElement("span"); icon.className = "cf-icon"; icon.setAttribute("aria-hidden", "true");
      var name = document.createElement("span"); name.className = "cf-name"; name.textContent = f.name;
      var size = document.createElement("span"); size.className = "cf-size"; size.textContent = humanSize(f.size);
      var link = document.createElement("a");
      link.className = "cf-download"; link.textContent = T.download; link.href = f.url; link.download = f.name;
      link.addEventListener("click", function (e) { side.download(f, link, e); });
      el.appendChild(icon); el.appendChild(name); el.appendChild(size); el.appendChild(link);
    }
    if (texts.length) span.replaceChild(el, texts[0]); else span.appendChild(el);
    texts.slice(1).forEach(function (n) { span.removeChild(n); });
    if (p.caption) {
      var cap = document.createElement("span");
      cap.className = "cf-caption"; cap.textContent = p.caption;
      el.parentNode.insertBefore(cap, el.nextSibling);
    }
  }

  // Parts that redraw a bubble from its text (read receipts, recall) would leave the fallback
  // "[图片] name" showing: put the image or card back whenever a drawn bubble changes.
  function watch(list) {
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        var li = r.target.closest ? r.target.closest("li[data-id]") : null;
        var d = li && drawn[li.dataset.id];
        if (!d) return;
        if (li.classList.contains("cp-recalled")) { delete drawn[li.dataset.id]; return; }  // the file went with it
        render(li, d[0], d[1]);
      });
    }).observe(list, {childList: true, subtree: true});
  }

  // Files pasted into or dropped onto an element (screenshots from the clipboard have no name).
  function takeFiles(el, onFiles) {
    el.addEventListener("paste", function (e) {
      var files = e.clipboardData ? Array.prototype.slice.call(e.clipboardData.files || []) : [];
      if (files.length) { e.preventDefault(); onFiles(files); }
    });
    el.addEventListener("dragover", function (e) {
      if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") >= 0) {
        e.preventDefault(); el.classList.add("cf-dragging");
      }
    });
    el.addEventListener("dragleave", function () { el.classList.remove("cf-dragging"); });
    el.addEventListener("drop", function (e) {
      el.classList.remove("cf-dragging");
      var files = e.dataTransfer ? Array.prototype.slice.call(e.dataTransfer.files || []) : [];
      if (files.length) { e.preventDefault(); onFiles(files); }
    });
  }

  // A status line above the composer: "uploading 40%", then gone (or the refusal, kept until the next try).
  function progressLine(composer) {
    var line = document.createElement("p");
    line.className = "cf-progress"; line.setAttribute("aria-live", "polite"); line.hidden = true;
    composer.parentNode.insertBefore(line, composer);
    return {
      show: function (name, pct) { line.hidden = false; line.textContent = T.uploading + " " + name + " " + pct + "%"; },
      hide: function () { line.hidden = true; line.textContent = ""; }
    };
  }

  // The composer's files: the attach button and picker, paste and drop, then one upload after
  // another with its progress. side.target() says where to upload (null: not now), side.refused
  // shows a refusal, side.uploaded(file, target) sends the message carrying it.
  function composerFiles(composer, drops, side) {
    var attach = document.getElementById("cf-attach"), picker = document.getElementById("cf-pick");
    composer.insertBefore(attach, composer.querySelector("button[type=submit]"));
    composer.appendChild(picker);
    var line = progressLine(composer);
    function uploadAll(files) {
      var target = side.target();
      if (!target) return;
      files.reduce(function (chain, file) {
        return chain.then(function () {
          line.show(file.name || "", 0);
          return upload(target.url, target.headers, file, target.fields,
                        function (pct) { line.show(file.name || "", pct); })
            .then(function (res) { line.hide(); if (res.ok) side.uploaded(res.file, target); else side.refused(res.error); });
        });
      }, Promise.resolve());
    }
    attach.addEventListener("click", function () { picker.click(); });
    picker.addEventListener("change", function () {
      var files = Array.prototype.slice.call(picker.files || []);
      picker.value = "";
      if (files.length) uploadAll(files);
    });
    [composer].concat(drops).forEach(function (el) { takeFiles(el, uploadAll); });
    return attach;
  }

  window.KefuFiles = {T: T, humanSize: humanSize, upload: upload, preview: preview, closePreview: closePreview,
                      render: render, watch: watch, composerFiles: composerFiles};

  // --- the workbench --------------------------------------------------------------------------
  var WB = window.KefuWB;
  var root = document.getElementById("cf-workbench");
  if (!WB || !root) return;
  var pending = {};  // client id -> {conversation_id, file_id}: resent on reconnect until acked
  var agentSide = {
    src: function (f) { return Promise.resolve(f.url); },  // the session cookie authorizes it
    download: function () {}  // a plain link: the server answers it as an attachment
  };
  WB.onBubble(function (li, m) { render(li, m, agentSide); });
  watch(document.getElementById("messages"));

  function sendFile(cid) {
    var p = pending[cid];
    if (!p || !WB.socket.connected) return;
    WB.socket.timeout(10000).emit("message", {conversation_id: p.conversation_id, file_id: p.file_id, client_id: cid},
      function (err, res) {
        if (err) return;  // no answer: sent again on reconnect with the same client id
        delete pending[cid];
        if (res.ok) { WB.addMessage(res.message); WB.showError(null); } else WB.showError(res.error);
      });
  }
  WB.socket.on("connect", function () { Object.keys(pending).forEach(sendFile); });

  var attach = composerFiles(document.getElementById("composer"), [document.getElementById("messages")], {
    target: function () {
      var conv = WB.current();
      if (!conv || conv.status !== "active" || WB.input.disabled) return null;
      return {url: "/api/workbench/chatfiles", headers: {"X-CSRFToken": root.dataset.csrf},
              fields: {conversation_id: conv.id}};
    },
    refused: WB.showError,
    uploaded: function (file, target) {  // into the chat it was uploaded for, whichever is shown now
      var cid = WB.uuid();
      pending[cid] = {conversation_id: target.fields.conversation_id, file_id: file.id};
      sendFile(cid);
    }
  });
  function sync() { attach.disabled = WB.input.disabled; }
  WB.onSelect(sync);
  WB.socket.on("conversation.closed", function () { setTimeout(sync, 0); });
  sync();
})();
