/* kefu chat files in the widget: the attach button (when the company lets visitors send files),
   paste and drop; images and downloads fetched with the visitor's token (KefuFiles draws them). */
(function () {
  "use strict";
  var C = window.KefuChat, F = window.KefuFiles;
  if (!C || !F || !C.token) return;
  var allowed = false;
  var pending = {};  // client id -> file id: resent on reconnect until acked
  var blobs = {};    // file url -> promise of an object URL (an <img> cannot send the token)

  function auth() { return {"Authorization": "Bearer " + C.token()}; }
  function blobUrl(f) {
    if (!blobs[f.url]) {
      blobs[f.url] = fetch(f.url, {headers: auth()}).then(function (r) {
        if (!r.ok) { delete blobs[f.url]; throw new Error(String(r.status)); }
        return r.blob();
      }).then(function (b) { return URL.createObjectURL(b); });
    }
    return blobs[f.url];
  }
  var visitorSide = {
    src: blobUrl,
    download: function (f, link, e) {
      if (link.dataset.ready) return;  // the second, real click follows the object URL
      e.preventDefault();
      blobUrl(f).then(function (src) {
        link.href = src; link.dataset.ready = "1"; link.click();
      }).catch(function () { C.showError(F.T.failed); });
    }
  };
  C.onMessage(function (m, li) { F.render(li, m, visitorSide); });
  F.watch(C.list);

  function sendFile(cid) {
    var socket = C.socket();
    if (!pending[cid] || !socket || !socket.connected) return;
    socket.timeout(10000).emit("message", {file_id: pending[cid], client_id: cid}, function (err, res) {
      if (err) return;  // no answer: sent again on reconnect with the same client id
      delete pending[cid];
      if (res && res.ok) { C.add(res.message); C.showError(null); } else C.showError(res && res.error);
    });
  }
  var attach = F.composerFiles(document.getElementById("composer"), [], {
    target: function () {
      if (!allowed) return null;
      return {url: "/api/widget/chatfiles?lang=" + encodeURIComponent(C.T.lang || "zh"), headers: auth(), fields: {}};
    },
    refused: C.showError,
    uploaded: function (file) { var cid = C.uuid(); pending[cid] = file.id; sendFile(cid); }
  });
  // Whether visitors may send files is the company's setting: ask once the session is open.
  C.onSocket(function (socket) {
    socket.on("connect", function () { Object.keys(pending).forEach(sendFile); });
    fetch("/api/widget/chatfiles/limits", {headers: auth()}).then(function (r) { return r.json(); })
      .then(function (res) { allowed = !!(res.ok && res.visitor_files); attach.hidden = !allowed; })
      .catch(function () { attach.hidden = true; });
  });
})();
