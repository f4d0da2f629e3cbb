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
  // The first row on screen and how far below the pane's top it is.
  Pane.prototype.anchor = function () {
    var top = this.el.getBoundingClientRect().top, kids = this.el.children;
    for (var i = 0; i < kids.length; i++) {
      var r = kids[i].getBoundingClientRect();
      if (r.bottom > top) return {key: kids[i].dataset.key, dy: r.top - top};
    }
    return null;
  };
  Pane.prototype.restore = function (a) {
    if (!a) return;
    var kids = this.el.children, top = this.el.getBoundingClientRect().top;
    for (var i = 0; i < kids.length; i++) {
      if (kids[i].dataset.key === a.key) {
        this.el.scrollTop += kids[i].getBoundingClientRect().top - top - a.dy;
        return;
      }
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
  Pane.prototype.indexOf = function (key, from) {
    for (var i = Math.max(0, Math.min(from, this.rows.length - 1)); i >= 0; i--) if (this.rows[i].key === key) return i;
    for (var j = from + 1; j < this.rows.length; j++) if (this.rows[j].key === key) return j;
    return -1;
  };
  // The rows changed (a new message, an older page, a recall …): redraw the same stretch.
  Pane.prototype.refresh = function (rows, toBottom) {
    var follow = toBottom || this.atBottom();
    var old = this.rows, oldFirst = this.first, oldLast = this.last;
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
      var a = this.anchor();
      var f = old.length ? this.indexOf(old[Math.min(oldFirst, old.length - 1)].key, oldFirst + rows.length - old.length) : -1;
      var l = oldLast > 0 && old.length ? this.indexOf(old[oldLast - 1].key, oldLast - 1 + rows.length - old.length) : -1;
      this.first = f >= 0 ? f : Math.max(0, rows.length - (oldLast - oldFirst));
      this.last = l >= this.first ? l + 1 : Math.min(rows.length, this.first + (oldLast - oldFirst));
      if (this.last - this.first > this.max) this.last = this.first + this.max;
      this.draw();
      this.restore(a);
    }
    this.edges();
  };
  // Near an edge: build the next rows there, drop as many at the far end, keep the view still.
  Pane.prototype.edges = function () {
    var el = this.el;
    if (!this.rows.length) return;
    if (el.scrollTop < EDGE) {
      if (this.first > 0) {
        var a = this.anchor(), n = Math.min(this.chunk, this.first), frag = document.createDocumentFragment();
        for (var i = this.first - n; i < this.first; i++) frag.appendChild(this.build(this.rows[i]));
        el.insertBefore(frag, el.firstChild);
        this.first -= n;
        while (this.last - this.first > this.max) { el.removeChild(el.lastChild); this.last--; }
        this.count();
        this.restore(a);
        return;
      }
      this.onTop();
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
