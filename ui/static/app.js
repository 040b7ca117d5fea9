/* Föräldraskapsstödsassistenten, in the browser:
   - a click (or Enter) on a citation marker [n] opens and highlights that source in the sources
     panel and moves focus there;
   - "Kopiera svaret med källor" copies an answer as plain text with its sources listed. */
(function () {
  "use strict";
  if (window.__fsaCitations) return;
  window.__fsaCitations = true;

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function showSource(id) {
    var target = document.getElementById(id);
    if (!target) return false;
    var details = target.closest("details");
    if (details && !details.open) details.open = true;
    document.querySelectorAll(".fsa-source.fsa-active").forEach(function (el) {
      el.classList.remove("fsa-active");
    });
    target.classList.add("fsa-active");
    target.scrollIntoView({ behavior: reducedMotion() ? "auto" : "smooth", block: "center" });
    try {
      target.focus({ preventScroll: true });
    } catch (e) {
      target.focus();
    }
    return true;
  }

  function plainAnswer(link, turn) {
    var message = link.closest(".md") || link.closest(".message") || link.parentElement;
    var copy = message.cloneNode(true);
    copy.querySelectorAll(".fsa-sr, .fsa-tools").forEach(function (el) { el.remove(); });
    var holder = document.createElement("div");
    holder.style.position = "fixed";
    holder.style.left = "-10000px";
    holder.appendChild(copy);
    document.body.appendChild(holder);
    var text = copy.innerText.trim();
    holder.remove();
    var lines = [text];
    var sources = document.querySelectorAll("#kallor-" + turn + " li.fsa-source");
    if (sources.length) {
      lines.push("", "Källor:");
      sources.forEach(function (li) {
        var title = li.querySelector(".fsa-source-title");
        var parts = [];
        li.querySelectorAll("dl.fsa-meta dt").forEach(function (dt) {
          var dd = dt.nextElementSibling;
          if (dd) parts.push(dt.textContent + ": " + dd.textContent);
        });
        var mark = li.querySelector("mark");
        lines.push((title ? title.textContent.trim() : "") + (parts.length ? " (" + parts.join("; ") + ")" : ""));
        if (mark) lines.push("    \u201D" + mark.textContent.trim() + "\u201D");
      });
    }
    return lines.join("\n");
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.left = "-10000px";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand && document.execCommand("copy");
      area.remove();
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  function copyAnswer(link) {
    var turn = link.getAttribute("href").slice("#kopiera-".length);
    var label = link.textContent;
    copyText(plainAnswer(link, turn)).then(
      function () { link.textContent = "Kopierat!"; },
      function () { link.textContent = "Kunde inte kopiera"; }
    ).then(function () {
      setTimeout(function () { link.textContent = label; }, 2000);
    });
  }

  document.addEventListener(
    "click",
    function (event) {
      var start = event.target;
      if (!start || !start.closest) return;
      var link = start.closest('a[href^="#kalla-"], a[href^="#kopiera-"]');
      if (!link) return;
      event.preventDefault();
      event.stopPropagation();
      var href = link.getAttribute("href");
      if (href.indexOf("#kopiera-") === 0) copyAnswer(link);
      else showSource(href.slice(1));
    },
    true
  );

  window.fsaShowSource = showSource;
})();
