/* Widget: say "已为您转接…" when the chat moves to another agent. */
(function () {
  "use strict";
  var C = window.KefuChat, T = window.KEFU_TRANSFER_I18N;
  if (!C || !T) return;
  C.onSocket(function (socket) {
    socket.on("conversation.transferred", function () { C.systemNote(T.transferred); });
  });
})();
