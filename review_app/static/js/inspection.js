// The inspector's checklist on a phone, with or without signal. Online the form posts as usual
// (it works without this script). Offline a save is kept in IndexedDB (its fields, and its
// photos as bytes) under a fresh id, a badge says "未同步 N 项", and when the connection
// returns each kept save is posted to the same address with that id: the server accepts a
// save once, so a save sent twice is written once. The service worker (inspection-sw.js)
// keeps this page and its assets for when there is no signal.
(function () {
  "use strict";
  var form = document.getElementById("checklist-form");
  if (!form) { return; }
  var CACHE = "inspection-v1";
  var inspectionId = form.getAttribute("data-inspection-id");
  var badge = document.getElementById("sync-badge");
  var offlineNote = document.getElementById("offline-note");

  // a refused save comes back with the error beside its item: bring it into view
  var alert = document.querySelector(".checklist-item .inline-note[role=alert]");
  if (alert) { alert.scrollIntoView({ block: "center" }); }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(form.getAttribute("data-sw"), { scope: "/inspections/" })
      .catch(function () { /* without it the page still works online */ });
  }
  function cachePage() {  // this page and its assets, for a reload without signal
    if (!window.caches || !navigator.onLine) { return; }
    var urls = [form.getAttribute("data-page")];  // not a refused post's address
    document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (el) {
      urls.push(el.getAttribute("href") || el.getAttribute("src"));
    });
    caches.open(CACHE).then(function (cache) {
      urls.forEach(function (url) {
        fetch(url, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) { return cache.put(url, response); }
        }).catch(function () { /* offline meanwhile */ });
      });
    });
  }

  // ---------------------------------------------------------------- the queue (IndexedDB)
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("inspection-queue", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("saves", { keyPath: "id" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function store(mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("saves", mode);
        var result = action(tx.objectStore("saves"));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function queued() {
    return store("readonly", function (s) { return s.getAll(); }).then(function (all) {
      return (all || []).filter(function (e) { return e.inspection === inspectionId; })
        .sort(function (a, b) { return a.queuedAt - b.queuedAt; });
    });
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function items() { return form.querySelectorAll(".checklist-item"); }
  function changed(section) {
    var fields = section.querySelectorAll("input[type=radio], textarea");
    var typed = Array.prototype.some.call(fields, function (el) {
      return el.type === "radio" ? el.checked !== el.defaultChecked : el.value !== el.defaultValue;
    });
    var file = section.querySelector("input[type=file]");
    return typed || (file && file.files.length > 0);
  }
  function settle(section) {  // what was queued becomes the form's starting point
    section.querySelectorAll("input[type=radio], textarea").forEach(function (el) {
      if (el.type === "radio") { el.defaultChecked = el.checked; } else { el.defaultValue = el.value; }
    });
    var file = section.querySelector("input[type=file]");
    var note = section.querySelector(".queued");
    if (file && file.files.length && note) {
      var names = Array.prototype.map.call(file.files, function (f) { return f.name; });
      note.textContent = (note.textContent ? note.textContent + "、" : "待同步的照片：") + names.join("、");
      note.hidden = false;
    }
    if (file) { file.value = ""; }
  }

  function refresh() {
    return queued().then(function (entries) {
      var codes = {};
      entries.forEach(function (e) { e.items.forEach(function (c) { codes[c] = true; }); });
      var n = Object.keys(codes).length;
      badge.textContent = "未同步 " + n + " 项";
      badge.hidden = n === 0;
      offlineNote.hidden = navigator.onLine;
    });
  }

  function queue(submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.set(submitter.name, submitter.value); }
    var id = uuid();
    data.set("client_id", id);
    var codes = [];
    items().forEach(function (section) { if (changed(section)) { codes.push(section.getAttribute("data-code")); } });
    var fields = [], files = [], reads = [];
    data.forEach(function (value, name) {
      if (typeof value === "string") { fields.push([name, value]); return; }
      if (!value.name || !value.size) { return; }
      reads.push(value.arrayBuffer().then(function (bytes) {
        files.push({ field: name, filename: value.name, type: value.type, data: bytes });
      }));
    });
    return Promise.all(reads).then(function () {
      var entry = { id: id, inspection: inspectionId, url: form.action, fields: fields,
                    files: files, items: codes, queuedAt: Date.now() };
      return store("readwrite", function (s) { return s.put(entry); });
    }).then(function () {
      items().forEach(function (section) { if (changed(section)) { settle(section); } });
      return refresh();
    });
  }

  function say(section, text) {
    var note = document.createElement("div");
    note.className = "flash flash-error inline-note";
    note.setAttribute("role", "alert");
    note.textContent = text;
    (section || form).insertBefore(note, (section || form).querySelector("fieldset, p, label"));
    note.scrollIntoView({ block: "center" });
  }

  var syncing = false;
  function sync() {
    if (syncing || !navigator.onLine) { return Promise.resolve(); }
    syncing = true;
    var token = form.querySelector("input[name=csrf_token]").value;  // this session's token
    var stop = false, refused = false, sent = 0;
    return queued().then(function (entries) {
      return entries.reduce(function (chain, entry) {
        return chain.then(function () {
          if (stop) { return; }
          var body = new FormData();
          entry.fields.forEach(function (f) { body.append(f[0], f[0] === "csrf_token" ? token : f[1]); });
          entry.files.forEach(function (f) { body.append(f.field, new Blob([f.data], { type: f.type }), f.filename); });
          return fetch(entry.url, {
            method: "POST", body: body, credentials: "same-origin",
            headers: { "X-Offline-Sync": "1", "Accept": "application/json" }
          }).then(function (response) {
            var type = response.headers.get("Content-Type") || "";
            if (type.indexOf("application/json") !== 0) {  // signed out meanwhile, or a stale page
              stop = true;
              say(null, "未能同步：请重新登录（或刷新页面）后再同步，未同步的内容仍保存在本机。");
              return;
            }
            return response.json().then(function (answer) {
              if (response.ok) { sent += 1; return store("readwrite", function (s) { return s.delete(entry.id); }); }
              if (response.status >= 500) { stop = true; return; }
              refused = true;  // refused for good: say why beside the item; what was typed stays in the form
              say(answer.at && document.getElementById("item-" + answer.at), "离线保存的内容未被接受：" + answer.error);
              return store("readwrite", function (s) { return s.delete(entry.id); });
            });
          }, function () { stop = true; });
        });
      }, Promise.resolve());
    }).then(function () {
      syncing = false;
      return refresh().then(function () {
        if (sent && !stop && !refused) { location.reload(); }  // show what the server now holds
      });
    }, function () { syncing = false; });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine) { return; }  // the ordinary post
    event.preventDefault();
    queue(event.submitter);
  });
  window.addEventListener("online", function () { offlineNote.hidden = true; sync(); });
  window.addEventListener("offline", function () { offlineNote.hidden = false; });
  window.setInterval(sync, 20000);
  cachePage();
  refresh().then(sync);
})();
