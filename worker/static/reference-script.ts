// The browser script of GET /docs, served as /assets/reference.js (script-src 'self'; nothing
// inline). It runs the page's "Try it" forms: fills the path template, adds the query, sends JSON or
// multipart with the API key typed into the page (held in memory only, never stored), and prints
// the status and body with textContent (no HTML is ever built from a response).
export const referenceScript = String.raw`
'use strict';
(function () {
  var keyInput = document.getElementById('api-key');
  function apiKey() { return keyInput && keyInput.value.trim(); }
  function show(out, text, ok) {
    out.textContent = text;
    out.className = 'result ' + (ok ? 'ok' : 'bad');
    out.hidden = false;
  }
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.try) return;
    event.preventDefault();
    var out = form.querySelector('output pre') || form.querySelector('pre.result');
    var method = form.dataset.method.toUpperCase();
    var path = form.dataset.path.replace(/\{(\w+)\}/g, function (_, name) {
      var field = form.elements.namedItem('path.' + name);
      return encodeURIComponent(field ? field.value : '');
    });
    var query = new URLSearchParams();
    var headers = new Headers();
    var body;
    var multipart = form.dataset.body === 'multipart';
    var data = multipart ? new FormData() : null;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      var dot = el.name.indexOf('.');
      var where = el.name.slice(0, dot), name = el.name.slice(dot + 1);
      if (where === 'query' && el.value !== '') query.set(name, el.value);
      if (where === 'header' && el.value !== '') headers.set(name, el.value);
      if (where === 'form' && data) {
        if (el.type === 'file') { if (el.files && el.files[0]) data.append(name, el.files[0]); }
        else if (el.value !== '') data.append(name, el.value);
      }
      if (where === 'json' && el.value.trim() !== '') { body = el.value; headers.set('content-type', 'application/json'); }
    });
    if (data) body = data;
    var key = apiKey();
    if (key) headers.set('authorization', 'Bearer ' + key);
    var url = path + (query.toString() ? '?' + query.toString() : '');
    show(out, method + ' ' + url + ' …', true);
    fetch(url, { method: method, headers: headers, body: body, credentials: 'omit' }).then(function (res) {
      var type = res.headers.get('content-type') || '';
      var head = res.status + ' ' + res.statusText + '\n';
      if (type.indexOf('json') >= 0) return res.json().then(function (j) { show(out, head + JSON.stringify(j, null, 2), res.ok); });
      if (type.indexOf('text') >= 0) return res.text().then(function (t) { show(out, head + t.slice(0, 4000), res.ok); });
      return res.arrayBuffer().then(function (b) { show(out, head + type + ', ' + b.byteLength + ' bytes', res.ok); });
    }).catch(function (err) { show(out, 'Request failed: ' + err.message, false); });
  });
})();
`;
