// Live pages: poll the engagement's cheap fingerprint and, when it changes
// (a Slack click, a Jira transition, an answer here), fetch this page again
// and swap in its live parts, so nobody has to reload. Focus stays where it
// was unless the focused element is replaced.
(function () {
  var body = document.body;
  var id = body.getAttribute('data-live');
  if (!id) return;
  var every = parseInt(body.getAttribute('data-poll') || '3000', 10);
  var last = null;
  function swap(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    document.querySelectorAll('[data-live-part]').forEach(function (el) {
      var name = el.getAttribute('data-live-part');
      var fresh = doc.querySelector('[data-live-part="' + name + '"]');
      if (fresh && !el.contains(document.activeElement)) el.replaceWith(fresh);
    });
    body.setAttribute('data-live-version', String(last));
  }
  function tick() {
    fetch('/e/' + encodeURIComponent(id) + '/live', {credentials: 'same-origin', cache: 'no-store'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        var v = s.last_event + '/' + s.open + '/' + s.answered;
        if (last !== null && v !== last) {
          last = v;
          return fetch(location.href, {credentials: 'same-origin', cache: 'no-store'})
            .then(function (r) { return r.text(); }).then(swap);
        }
        last = v;
      })
      .catch(function () {})
      .finally(function () { setTimeout(tick, every); });
  }
  tick();
})();
