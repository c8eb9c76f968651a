// Cutproof console: small progressive enhancements. Every page works without this file (forms post as usual);
// it adds drawing the region on a frame, the drop zone, live render progress and a print button. No framework,
// nothing fetched from elsewhere; it runs under the console's Content-Security-Policy (no inline script).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Draw the region to edit on a frame: drag with a mouse, pen or finger; the field keeps "x,y,w,h" in the
  // shot's own pixels, and typing in the field moves the drawn box (the keyboard path).
  function initDrawer(root) {
    var img = root.querySelector("[data-drawer-img]");
    var svg = root.querySelector("[data-drawer-svg]");
    var rect = root.querySelector("[data-drawer-rect]");
    var frame = root.querySelector("[data-drawer-frame]");
    var frameOut = root.querySelector("[data-drawer-frame-out]");
    var forId = root.getAttribute("data-drawer-for");
    var field = forId ? document.getElementById(forId) : document.querySelector("[data-drawer-region]");
    var W = parseInt(root.getAttribute("data-width"), 10), H = parseInt(root.getAttribute("data-height"), 10);
    var start = null;
    root.drawerResize = function (w, h) { W = w; H = h; svg.setAttribute("viewBox", "0 0 " + w + " " + h); fromField(); };

    function toShot(ev) {
      var box = svg.getBoundingClientRect();
      var x = Math.round(((ev.clientX - box.left) / box.width) * W);
      var y = Math.round(((ev.clientY - box.top) / box.height) * H);
      return [Math.max(0, Math.min(W, x)), Math.max(0, Math.min(H, y))];
    }
    function show(x, y, w, h) {
      rect.setAttribute("x", x); rect.setAttribute("y", y);
      rect.setAttribute("width", w); rect.setAttribute("height", h);
    }
    function fromField() {
      var m = /^(\d+),(\d+),(\d+),(\d+)$/.exec((field && field.value) || "");
      if (m) { show(+m[1], +m[2], +m[3], +m[4]); } else { show(0, 0, 0, 0); }
    }
    var box = root.querySelector(".frame-box");
    box.addEventListener("pointerdown", function (ev) {
      start = toShot(ev); box.setPointerCapture(ev.pointerId); ev.preventDefault();
    });
    box.addEventListener("pointermove", function (ev) {
      if (!start) { return; }
      var p = toShot(ev);
      show(Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.abs(p[0] - start[0]), Math.abs(p[1] - start[1]));
    });
    box.addEventListener("pointerup", function (ev) {
      if (!start) { return; }
      var p = toShot(ev);
      var x = Math.min(start[0], p[0]), y = Math.min(start[1], p[1]);
      var w = Math.abs(p[0] - start[0]), h = Math.abs(p[1] - start[1]);
      start = null;
      if (w < 4 || h < 4) { return; }
      show(x, y, w, h);
      if (field) { field.value = [x, y, w, h].join(","); field.dispatchEvent(new Event("change")); }
    });
    if (field) { field.addEventListener("input", fromField); fromField(); }
    if (frame) {
      frame.addEventListener("input", function () {
        if (frameOut) { frameOut.textContent = frame.value; }
      });
      frame.addEventListener("change", function () {
        img.src = root.getAttribute("data-frame-url") + frame.value + ".jpg?w=640";
      });
    }
  }

  // The relight form's reference patch: the chosen reference shot's frame (the "Reference frame" field's, default
  // 0) is shown in a second drawer, whose box fills the patch field in the reference's own pixels.
  function initReferenceDrawer(form) {
    var pick = form.querySelector("[data-reference-pick]");
    var frameField = form.querySelector("[data-reference-frame]");
    var root = form.querySelector("[data-reference-drawer]");
    if (!pick || !root) { return; }
    var img = root.querySelector("[data-drawer-img]");
    function update() {
      var opt = pick.options[pick.selectedIndex];
      if (!pick.value || !opt) { root.hidden = true; return; }
      var w = parseInt(opt.getAttribute("data-width"), 10), h = parseInt(opt.getAttribute("data-height"), 10);
      var n = parseInt((frameField && frameField.value) || "0", 10) || 0;
      img.setAttribute("width", w); img.setAttribute("height", h);
      img.src = root.getAttribute("data-shots-url") + pick.value + "/frames/" + n + ".jpg?w=640";
      if (root.drawerResize) { root.drawerResize(w, h); }
      root.hidden = false;
    }
    pick.addEventListener("change", update);
    if (frameField) { frameField.addEventListener("change", update); }
    update();
  }

  // The face-tag form follows the frame shown, and can take the region drawn on it as the face box.
  function initTagForm() {
    var frameField = document.querySelector("[data-tag-frame]");
    var slider = document.querySelector("[data-drawer-frame]");
    var box = document.querySelector("[data-tag-box]");
    var use = document.querySelector("[data-tag-use-region]");
    var region = document.querySelector("[data-drawer-region]");
    if (frameField && slider) {
      slider.addEventListener("change", function () { frameField.value = slider.value; });
    }
    if (use && box && region) {
      use.hidden = false;
      use.addEventListener("click", function () { box.value = region.value; });
    }
  }

  // Show only the parameters of the chosen edit kind (hidden fieldsets are also disabled: not submitted).
  function initKind(form) {
    var select = form.querySelector("[data-kind]");
    function update() {
      form.querySelectorAll("[data-kind-fields]").forEach(function (fs) {
        var on = fs.getAttribute("data-kind-fields").split(" ").indexOf(select.value) >= 0;
        fs.hidden = !on; fs.disabled = !on;
      });
    }
    select.addEventListener("change", update);
    update();
  }

  // The QC drop zone: dropped files go into the form's file input, listed by name; the form posts as usual.
  function initDropzone(zone) {
    var input = zone.querySelector("[data-dropzone-input]");
    var list = zone.querySelector("[data-dropzone-list]");
    function listFiles() {
      list.innerHTML = "";
      Array.prototype.forEach.call(input.files, function (f) {
        var li = document.createElement("li");
        li.textContent = f.name + " (" + Math.round(f.size / 1024) + " KB)";
        list.appendChild(li);
      });
    }
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (ev) { ev.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (ev) {
      ev.preventDefault();
      if (ev.dataTransfer && ev.dataTransfer.files.length) { input.files = ev.dataTransfer.files; listFiles(); }
    });
    input.addEventListener("change", listFiles);
  }

  // Live render progress: server-sent events from the request's /events stream; the page reloads when the
  // request reaches a final state, to show the downloads.
  function initEvents(section) {
    var url = section.getAttribute("data-events");
    if (!url || !window.EventSource) { return; }
    var source = new EventSource(url);
    var stateEl = section.querySelector("[data-state]");
    function update(ev) {
      var snap = JSON.parse(ev.data);
      if (stateEl) { stateEl.textContent = snap.state.replace(/_/g, " "); }
      var bar = section.querySelector("[data-progress]"), msg = section.querySelector("[data-message]");
      if (snap.job && bar) { bar.value = snap.job.progress; bar.textContent = Math.round(snap.job.progress * 100) + " %"; }
      if (snap.job && msg) { msg.textContent = snap.job.message || ""; }
      if (snap.job && !bar) { window.location.reload(); }
    }
    source.addEventListener("progress", update);
    source.addEventListener("done", function (ev) { update(ev); source.close(); window.location.reload(); });
    source.addEventListener("ended", function () { source.close(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-drawer]").forEach(initDrawer);
    document.querySelectorAll("[data-edit-form]").forEach(initKind);
    document.querySelectorAll("[data-edit-form]").forEach(initReferenceDrawer);
    document.querySelectorAll("[data-dropzone]").forEach(initDropzone);
    initTagForm();
    document.querySelectorAll("[data-events]").forEach(initEvents);
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    window.cutproofCsrf = csrfToken;
  });
})();
