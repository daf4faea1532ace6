// Follows the preview's event stream: after each change, the paper's parts and frames are brought up to date.
(function () {
  "use strict";
  const connection = document.getElementById("connection");
  const paper = document.querySelector("[data-paper]");
  const list = document.querySelector("[data-list]");
  const stream = new EventSource("/events");

  function say(text) {
    if (connection.textContent !== text) connection.textContent = text;
  }

  // Reload a frame, keeping the reader's place in it (same origin, so its scroll position can be read).
  function reload(frame, generation) {
    let x = 0, y = 0;
    try { x = frame.contentWindow.scrollX; y = frame.contentWindow.scrollY; } catch (e) { /* not loaded yet */ }
    frame.addEventListener("load", function () {
      try { frame.contentWindow.scrollTo(x, y); } catch (e) { /* a PDF viewer */ }
    }, { once: true });
    frame.src = frame.src.replace(/\?.*$/, "") + "?v=" + generation;
  }

  function swap(from, id) {
    const here = document.getElementById(id), there = from.getElementById(id);
    if (here && there && here.innerHTML !== there.innerHTML) here.innerHTML = there.innerHTML;
  }

  function refreshPaper() {
    fetch("/paper/" + encodeURIComponent(paper.dataset.paper) + "/status", { cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        const fresh = new DOMParser().parseFromString(text, "text/html");
        const now = document.getElementById("generations"), next = fresh.getElementById("generations");
        if (next.dataset.html !== now.dataset.html) reload(document.getElementById("html-frame"), next.dataset.html);
        if (next.dataset.pdf !== now.dataset.pdf) reload(document.getElementById("pdf-frame"), next.dataset.pdf);
        ["problems", "pdf-facts", "warnings"].forEach(function (id) { swap(fresh, id); });
        now.dataset.html = next.dataset.html;
        now.dataset.pdf = next.dataset.pdf;
      })
      .catch(function () { /* the stream's error handler says the preview is gone */ });
  }

  function refreshList() {
    fetch("/", { cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (text) { swap(new DOMParser().parseFromString(text, "text/html"), "papers"); })
      .catch(function () {});
  }

  const refresh = paper ? refreshPaper : list ? refreshList : function () {};
  stream.addEventListener("open", function () {
    say("Live: this page follows your changes as you save.");
    refresh();  // catch up on anything that changed while disconnected
  });
  stream.addEventListener("error", function () {
    say("Not connected: is reportgen preview still running? Trying again.");
  });
  ["html", "pdf", "status"].forEach(function (kind) {
    stream.addEventListener(kind, function (event) {
      const data = JSON.parse(event.data);
      if (!paper || data.paper === paper.dataset.paper) refresh();
    });
  });
})();
