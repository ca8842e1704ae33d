// Live pages. The server pushes the engagement's version over server-sent
// events (/e/ID/live/stream) whenever something changes (a Slack click, a
// Jira transition, an answer here); when it differs from the version the
// page was drawn at, the page fetches itself again and swaps in its live
// parts, so nobody has to reload. Without EventSource, or when the server
// refuses a stream (too many open tabs), the page polls /e/ID/live instead.
// Focus stays where it was unless the focused element is replaced.
(function () {
  var body = document.body;
  var id = body.getAttribute('data-live');
  if (!id) return;
  var every = parseInt(body.getAttribute('data-poll') || '3000', 10);
  var version = body.getAttribute('data-live-version') || null;
  var base = '/e/' + encodeURIComponent(id) + '/live';
  var busy = false, again = false;

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    document.querySelectorAll('[data-live-part]').forEach(function (el) {
      var name = el.getAttribute('data-live-part');
      var fresh = doc.querySelector('[data-live-part="' + name + '"]');
      if (fresh && !el.contains(document.activeElement)) el.replaceWith(fresh);
    });
    body.setAttribute('data-live-version', String(version));
  }
  // refresh fetches the page once at a time; changes during a fetch cause
  // one more.
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, {credentials: 'same-origin', cache: 'no-store'})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) swap(html); })
      .catch(function () {})
      .finally(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }
  function seen(v) {
    if (!v || v === version) return;
    version = v;
    refresh();
  }
  // signedOut stops listening and says why on the page: the session was
  // ended (here, elsewhere, or by an operator) or the person's access to
  // this engagement went (an auditor's invitation lapsed).
  var ended = false;
  function signedOut() {
    if (ended) return;
    ended = true;
    if (es) es.close();
    body.setAttribute('data-live-mode', 'signedout');
    var p = document.createElement('p');
    p.id = 'signed-out';
    p.className = 'err';
    p.setAttribute('role', 'alert');
    p.appendChild(document.createTextNode('You are signed out: your session ended or your access to this engagement did. This page no longer updates. '));
    var a = document.createElement('a');
    a.href = '/signin';
    a.textContent = 'Sign in again';
    p.appendChild(a);
    var main = document.querySelector('main') || body;
    main.insertBefore(p, main.firstChild);
  }
  function poll() {
    if (ended) return;
    body.setAttribute('data-live-mode', 'poll');
    fetch(base, {credentials: 'same-origin', cache: 'no-store'})
      .then(function (r) {
        if (r.status === 401 || r.status === 404) { signedOut(); return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (s) { if (s) seen(s.version); })
      .catch(function () {})
      .finally(function () { if (!ended) setTimeout(poll, every); });
  }
  var es = null;
  if (!window.EventSource) { poll(); return; }
  es = new EventSource(base + '/stream');
  es.addEventListener('signedout', signedOut);
  es.addEventListener('open', function () { body.setAttribute('data-live-mode', 'sse'); });
  es.addEventListener('change', function (e) {
    try { seen(JSON.parse(e.data).version); } catch (err) {}
  });
  // EventSource reconnects by itself after a dropped stream; it gives up
  // (CLOSED) only when the server refused it, and then the page polls.
  es.addEventListener('error', function () {
    if (!ended && es.readyState === EventSource.CLOSED) poll();
  });
})();
