/* kefu widget: the host site's signed identity (partner id, name, VIP level, params).
   It comes in the frame's fragment from the embed snippet (#identity=DATA.SIG) or in the H5 link's
   query (?identity=DATA.SIG); the server checks the signature, this script only passes it on. */
(function () {
  "use strict";
  function parse(raw) {
    if (!raw || raw.length > 5000) return null;
    var cut = raw.lastIndexOf(".");
    if (cut < 1) return null;
    return {data: raw.slice(0, cut), sig: raw.slice(cut + 1)};
  }
  var hash = new URLSearchParams(location.hash.slice(1));
  var query = new URLSearchParams(location.search);
  var identity = parse(hash.get("identity")) || parse(query.get("identity"));
  // A signed identity is a credential for minutes: keep it out of the page address that chat.js
  // records as the visitor's page (and agents read).
  if (query.has("identity")) {
    query.delete("identity");
    var rest = query.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  }
  var T = window.KEFU_IDENTITY_I18N || {};
  window.KefuIdentity = {
    get: function () { return identity; },
    // The server refused it (forged, expired, not enabled): say so and go on as a guest.
    refused: function (error) {
      if (!identity || !error || String(error.code || "").indexOf("identity_") !== 0) return false;
      identity = null;
      var msg = String(error.message || ""), zh = /[\u4e00-\u9fff]/.test(msg);
      if (msg && !/[。.!！]$/.test(msg)) msg += zh ? "。" : ".";
      var note = msg + (T.refused ? (zh ? "" : " ") + T.refused : "");
      if (window.KefuChat) window.KefuChat.systemNote(note);
      return true;
    }
  };
})();
