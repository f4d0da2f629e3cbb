/* A small rich-text editor for the knowledge console: a toolbar over a contenteditable box that
 * writes its HTML into the form's textarea (which stays, as the HTML source, and posts the value).
 * The server sanitises whatever arrives; here stored or typed HTML is copied node by node through
 * an allow-list, never assigned with innerHTML, so nothing in it runs in the console. */
(function () {
  "use strict";

  var TAGS = ["A", "B", "BLOCKQUOTE", "BR", "CODE", "DIV", "EM", "H1", "H2", "H3", "H4", "HR", "I",
    "IMG", "LI", "OL", "P", "PRE", "S", "SPAN", "STRONG", "SUB", "SUP", "TABLE", "TBODY", "TD", "TH",
    "THEAD", "TR", "U", "UL"];
  var ATTRS = { A: ["href", "title"], IMG: ["src", "alt", "title", "width", "height"],
    TD: ["colspan", "rowspan"], TH: ["colspan", "rowspan"] };
  var SAFE_URL = /^(https?:|mailto:|tel:|\/|#)/i;
  var zh = (document.querySelector('meta[name="kefu-lang"]') || {}).content !== "en";
  var LABELS = zh
    ? { bold: "加粗", italic: "斜体", underline: "下划线", h3: "标题", ul: "项目符号", ol: "编号",
        link: "链接", unlink: "取消链接", clear: "清除格式", url: "链接地址（https://…）", source: "HTML 源码" }
    : { bold: "Bold", italic: "Italic", underline: "Underline", h3: "Heading", ul: "Bulleted list",
        ol: "Numbered list", link: "Link", unlink: "Remove link", clear: "Clear formatting",
        url: "Link address (https://…)", source: "HTML source" };

  function copyInto(target, source) {
    Array.prototype.forEach.call(source.childNodes, function (node) {
      if (node.nodeType === 3) {
        target.appendChild(document.createTextNode(node.nodeValue));
        return;
      }
      if (node.nodeType !== 1) return;
      var tag = node.tagName;
      if (TAGS.indexOf(tag) < 0) {
        // Unknown wrappers keep their text (script and style keep nothing).
        if (tag !== "SCRIPT" && tag !== "STYLE" && tag !== "IFRAME") copyInto(target, node);
        return;
      }
      var el = document.createElement(tag.toLowerCase());
      (ATTRS[tag] || []).forEach(function (name) {
        var value = node.getAttribute(name);
        if (value === null) return;
        if ((name === "href" || name === "src") && !SAFE_URL.test(value.trim())) return;
        el.setAttribute(name, value);
      });
      copyInto(el, node);
      target.appendChild(el);
    });
  }

  function render(box, html) {
    while (box.firstChild) box.removeChild(box.firstChild);
    // DOMParser documents are inert: no script runs and no image loads while we read them.
    var parsed = new DOMParser().parseFromString(html || "", "text/html");
    copyInto(box, parsed.body);
  }

  function button(label, text, run) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-light btn-sm border mr-1";
    b.title = label;
    b.setAttribute("aria-label", label);
    b.textContent = text;
    b.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep the selection
    b.addEventListener("click", run);
    return b;
  }

  function attach(textarea) {
    var wrap = document.createElement("div");
    wrap.className = "kb-rich mb-1";
    var bar = document.createElement("div");
    bar.className = "kb-rich-toolbar mb-1";
    bar.setAttribute("role", "toolbar");
    var box = document.createElement("div");
    box.className = "form-control kb-rich-box";
    box.id = textarea.id + "-editor";
    box.contentEditable = "true";
    box.setAttribute("role", "textbox");
    box.setAttribute("aria-multiline", "true");
    box.style.minHeight = "8rem";
    box.style.height = "auto";
    box.style.overflow = "auto";

    function sync() { textarea.value = box.innerHTML; }
    function exec(command, value) {
      return function () { box.focus(); document.execCommand(command, false, value); sync(); };
    }
    bar.appendChild(button(LABELS.bold, "B", exec("bold")));
    bar.appendChild(button(LABELS.italic, "I", exec("italic")));
    bar.appendChild(button(LABELS.underline, "U", exec("underline")));
    bar.appendChild(button(LABELS.h3, "H", exec("formatBlock", "h3")));
    bar.appendChild(button(LABELS.ul, "•", exec("insertUnorderedList")));
    bar.appendChild(button(LABELS.ol, "1.", exec("insertOrderedList")));
    bar.appendChild(button(LABELS.link, LABELS.link, function () {
      var url = window.prompt(LABELS.url, "https://");
      if (url && SAFE_URL.test(url.trim())) exec("createLink", url.trim())();
    }));
    bar.appendChild(button(LABELS.unlink, LABELS.unlink, exec("unlink")));
    bar.appendChild(button(LABELS.clear, "⌫", exec("removeFormat")));

    render(box, textarea.value);
    box.addEventListener("input", sync);
    box.addEventListener("paste", function (e) {
      // Pasted HTML goes through the same allow-list as everything else.
      var data = e.clipboardData;
      if (!data) return;
      e.preventDefault();
      var html = data.getData("text/html");
      var holder = document.createElement("div");
      if (html) render(holder, html);
      else holder.appendChild(document.createTextNode(data.getData("text/plain")));
      var range = window.getSelection().rangeCount ? window.getSelection().getRangeAt(0) : null;
      var frag = document.createDocumentFragment();
      while (holder.firstChild) frag.appendChild(holder.firstChild);
      if (range) { range.deleteContents(); range.insertNode(frag); } else { box.appendChild(frag); }
      sync();
    });
    textarea.addEventListener("input", function () { render(box, textarea.value); });

    wrap.appendChild(bar);
    wrap.appendChild(box);
    textarea.parentNode.insertBefore(wrap, textarea);
    textarea.classList.add("kb-rich-source");
    textarea.style.fontFamily = "monospace";
    textarea.style.fontSize = "0.8rem";
    textarea.rows = 3;
    textarea.setAttribute("aria-label", LABELS.source);
    textarea.title = LABELS.source;
  }

  document.querySelectorAll("textarea[data-rich-editor]").forEach(attach);
})();
