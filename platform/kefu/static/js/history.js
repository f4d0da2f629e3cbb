/* kefu windowed message pane: however long the history, the page holds at most `max` rows of it.

   The pane shows a window [first, last) of a list of rows ({key, build()}); scrolling near an
   edge slides the window by `chunk` rows (building those, dropping as many at the other end),
   and at the very top asks for older rows (onTop). Every change keeps the row the reader is
   looking at where it was on screen. */
(function () {
  "use strict";
  var EDGE = 400;  // px from an edge at which the next rows are built

  function Pane(el, opts) {
    this.el = el;
    this.max = opts.max || 240;
    this.chunk = opts.chunk || 60;
    this.onTop = opts.onTop || function () {};
    this.rows = [];
    this.first = 0;
    this.last = 0;
    this.maxSeen = 0;  // the most rows the page ever held (kefu bench ui reports it)
    // Our own anchoring below; the browser's would move the view a second time.
    el.style.overflowAnchor = "none";
    var self = this;
    el.addEventListener("scroll", function () { self.edges(); });
  }
  Pane.prototype.atBottom = function () {
    var el = this.el;
    return this.last >= this.rows.length && el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  };
  // The first rows on screen and how far below the pane's top each is (a few: the first may go,
  // e.g. the "loading" line above a page that just came).
  Pane.prototype.anchor = function () {
    var top = this.el.getBoundingClientRect().top, kids = this.el.children, out = [];
    for (var i = 0; i < kids.length && out.length < 8; i++) {
      var r = kids[i].getBoundingClientRect();
      if (r.bottom > top) out.push({key: kids[i].dataset.key, dy: r.top - top});
    }
    return out;
  };
  Pane.prototype.restore = function (a) {
    var kids = this.el.children, top = this.el.getBoundingClientRect().top, at = {};
    for (var i = 0; i < kids.length; i++) at[kids[i].dataset.key] = kids[i];
    for (var j = 0; j < a.length; j++) {
      var el = at[a[j].key];
      if (el) { this.el.scrollTop += el.getBoundingClientRect().top - top - a[j].dy; return; }
    }
  };
  Pane.prototype.build = function (row) {
    var li = row.build();
    li.dataset.key = row.key;
    return li;
  };
  Pane.prototype.draw = function () {
    var frag = document.createDocumentFragment();
    for (var i = this.first; i < this.last; i++) frag.appendChild(this.build(this.rows[i]));
    this.el.textContent = "";
    this.el.appendChild(frag);
    this.count();
  };
  Pane.prototype.count = function () {
    if (this.el.children.length > this.maxSeen) this.maxSeen = this.el.children.length;
  };
  // Show new rows at the bottom (a chat just opened).
  Pane.prototype.reset = function (rows) {
    this.rows = rows;
    this.last = rows.length;
    this.first = Math.max(0, this.last - Math.min(this.max, this.chunk * 2));
    this.draw();
    this.el.scrollTop = this.el.scrollHeight;
    this.edges();
  };
  Pane.prototype.clear = function () { this.rows = []; this.first = this.last = 0; this.el.textContent = ""; };
  // The rows changed (a new message, an older page, a recall …): redraw the same stretch.
  Pane.prototype.refresh = function (rows, toBottom) {
    var follow = toBottom || this.atBottom();
    var old = this.rows, oldFirst = this.first, oldLast = this.last;
    if (!old.length || oldLast <= oldFirst) { this.reset(rows); return; }
    this.rows = rows;
    if (follow) {
      var tail = old.length && oldLast === old.length ? oldLast - oldFirst : this.chunk * 2;
      this.last = rows.length;
      this.first = Math.max(0, this.last - Math.min(this.max, Math.max(tail + (rows.length - old.length), 1)));
      // The common case, one more message below: append it instead of redrawing.
      if (oldLast === old.length && old.length && rows.length > old.length && this.el.children.length === oldLast - oldFirst
          && rows[old.length - 1].key === old[old.length - 1].key && rows[oldFirst].key === old[oldFirst].key) {
        for (var k = old.length; k < rows.length; k++) this.el.appendChild(this.build(rows[k]));
        while (this.el.children.length > this.last - this.first && this.el.firstChild) this.el.removeChild(this.el.firstChild);
        this.first = this.last - this.el.children.length;
        this.count();
      } else {
        this.draw();
      }
      this.el.scrollTop = this.el.scrollHeight;
    } else {
      // The same stretch: from the first row shown that is still there to the last one.
      var a = this.anchor(), index = {}, i, f = -1, l = -1;
      for (i = 0; i < rows.length; i++) index[rows[i].key] = i;
      for (i = oldFirst; i < oldLast && f < 0; i++) if (index[old[i].key] !== undefined) f = index[old[i].key];
      for (i = oldLast - 1; i >= oldFirst && l < 0; i--) if (index[old[i].key] !== undefined) l = index[old[i].key];
      if (f < 0) { this.reset(rows); return; }
      var last = Math.min(Math.max(l + 1, f + 1), f + this.max), same = last - f === oldLast - oldFirst;
      for (i = 0; same && i < last - f; i++) same = rows[f + i].key === old[oldFirst + i].key;
      this.first = f;
      this.last = last;
      // Rows came or went only outside the stretch shown (an older page above): nothing to redraw.
      if (!same) { this.draw(); this.restore(a); }
    }
    this.edges();
  };
  // Near an edge: build the next rows there, drop as many at the far end, keep the view still.
  Pane.prototype.edges = function () {
    var el = this.el;
    if (!this.rows.length) return;
    if (el.scrollTop < EDGE) {
      // Ask for the next older page while a few chunks are still to be shown: it is there in time.
      if (this.first <= this.chunk * 2) this.onTop();
      if (this.first > 0) {
        var a = this.anchor(), n = Math.min(this.chunk, this.first), frag = document.createDocumentFragment();
        for (var i = this.first - n; i < this.first; i++) frag.appendChild(this.build(this.rows[i]));
        el.insertBefore(frag, el.firstChild);
        this.first -= n;
        while (this.last - this.first > this.max) { el.removeChild(el.lastChild); this.last--; }
        this.count();
        this.restore(a);
      }
    } else if (el.scrollHeight - el.scrollTop - el.clientHeight < EDGE && this.last < this.rows.length) {
      var b = this.anchor(), m = Math.min(this.chunk, this.rows.length - this.last), more = document.createDocumentFragment();
      for (var j = this.last; j < this.last + m; j++) more.appendChild(this.build(this.rows[j]));
      el.appendChild(more);
      this.last += m;
      while (this.last - this.first > this.max) { el.removeChild(el.firstChild); this.first++; }
      this.count();
      this.restore(b);
    }
  };
  window.KefuHistory = {pane: function (el, opts) { return new Pane(el, opts || {}); }};
})();
