/*
 * lessonkit preview panel: the LMS side of the page. It hosts scorm-again as the SCORM
 * runtime (window.API / window.API_1484_11, found by the content through its parent frame),
 * reports every runtime call to the preview server, and shows the live log and the learner's
 * record the server computes (one source of truth for the panel, --json and the download).
 * All text is set with textContent: nothing from the package or the course is parsed as HTML.
 */
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('lk-preview-config').textContent);
  var $ = function (id) { return document.getElementById(id); };
  var frame = $('lk-content');
  var targetSel = $('lk-target');
  var itemSel = $('lk-item');
  var logEl = $('lk-log');
  var logBox = $('lk-log-box');
  var recordEl = $('lk-record');
  var statusEl = $('lk-status');
  var current = null;
  var records = {};
  var queue = Promise.resolve();
  var frameLoaded = false;
  // `--lms NAME`: the LMS's quirks, from lms-quirks.js (the emulator the browser tests use too).
  var emulation = config.lms && window.lkLmsQuirks ? config.lms : null;
  var unloadingFrame = false;
  var noop = function () { /* the server is gone; nothing to show */ };

  // Posts go one after another, so the server sees runtime calls in the order they were made
  // and a relaunch only after the last commit of the previous session.
  function post(url, body) {
    var p = queue.then(function () {
      return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), keepalive: JSON.stringify(body).length < 60000 })
        .then(function (r) { return r.ok ? r.json() : r.text().then(function (t) { throw new Error(t); }); });
    });
    queue = p.catch(function () { return undefined; });
    return p;
  }

  function packageOf(target) {
    return config.packages.filter(function (p) { return p.target === target; })[0];
  }

  function fillTargets() {
    targetSel.textContent = '';
    config.packages.forEach(function (p) {
      var o = document.createElement('option');
      o.value = p.target;
      o.textContent = p.target;
      targetSel.appendChild(o);
    });
  }

  function fillItems(target) {
    itemSel.textContent = '';
    var pkg = packageOf(target);
    (pkg ? pkg.launchables : []).forEach(function (l) {
      var o = document.createElement('option');
      o.value = l.id;
      o.textContent = (l.organization ? l.organization + ' \u203a ' : '') + l.title + (l.scormType === 'asset' ? ' (asset)' : '');
      itemSel.appendChild(o);
    });
  }

  var SCORM_METHODS = {
    scorm12: { list: ['LMSInitialize', 'LMSFinish', 'LMSGetValue', 'LMSSetValue', 'LMSCommit', 'LMSGetLastError', 'LMSGetErrorString', 'LMSGetDiagnostic'], gle: 'LMSGetLastError', ges: 'LMSGetErrorString' },
    scorm2004: { list: ['Initialize', 'Terminate', 'GetValue', 'SetValue', 'Commit', 'GetLastError', 'GetErrorString', 'GetDiagnostic'], gle: 'GetLastError', ges: 'GetErrorString' },
  };

  function makeApi(runtime, saved, target, id) {
    var settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5 };
    var api = runtime === 'scorm12' ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
    if (saved) api.loadFromJSON(saved, '');
    var names = SCORM_METHODS[runtime];
    if (emulation) {
      // Under the emulation, the LMS's quirks decide what it keeps (host.store), not every Commit.
      var pkg = packageOf(target);
      var tell = function (body) { body.target = target; body.id = id; post('/__lk/api/lms', body).catch(noop); };
      window.lkLmsQuirks.wrap(api, runtime, emulation, {
        snapshot: function () { return api.renderCommitCMI(true).cmi; },
        store: function (cmi, reason) { tell({ cmi: cmi, finished: reason === 'finish' }); },
        event: function (text) { tell({ event: text }); },
        unloading: function () { return unloadingFrame; },
        finished: function () { tell({ finished: true }); },
        setsCompletion: Boolean(pkg && pkg.setsCompletion),
      });
    }
    var real = {};
    names.list.forEach(function (m) { real[m] = api[m].bind(api); });
    var wrapped = {};
    names.list.forEach(function (m) {
      wrapped[m] = function () {
        var args = Array.prototype.slice.call(arguments);
        var result = real[m].apply(null, args);
        var error = String(real[names.gle]());
        var body = { target: target, id: id, method: m, args: args.map(String), result: String(result), error: error };
        if (error !== '0' && error !== '') body.errorString = String(real[names.ges](error));
        if (!emulation && /Commit|Finish|Terminate/.test(m) && String(result) === 'true') body.cmi = api.renderCommitCMI(true).cmi;
        post('/__lk/api/scorm', body).catch(noop);
        return result;
      };
    });
    return wrapped;
  }

  function wait(check, ms) {
    return new Promise(function (resolve) {
      var end = Date.now() + ms;
      (function poll() {
        if (check() || Date.now() > end) resolve();
        else setTimeout(poll, 100);
      })();
    });
  }

  // Unloading the content is what ends its session (the player finishes on pagehide).
  function unload() {
    if (!frameLoaded) return Promise.resolve();
    var was = current;
    return new Promise(function (resolve) {
      frame.addEventListener('load', function () { resolve(); }, { once: true });
      frameLoaded = false;
      unloadingFrame = true;
      frame.src = 'about:blank';
      setTimeout(resolve, 3000);
    }).then(function () {
      if (!was || (was.runtime !== 'xapi' && was.runtime !== 'cmi5')) return queue;
      // The terminated statement travels on its own; a new session waits for it (or 3 s).
      return wait(function () { var r = records[was.key]; return !r || r.finished; }, 3000);
    });
  }

  function launch(target, id) {
    targetSel.value = target;
    if (itemSel.getAttribute('data-target') !== target) { fillItems(target); itemSel.setAttribute('data-target', target); }
    itemSel.value = id;
    return unload().then(function () {
      return post('/__lk/api/launch', { target: target, id: id });
    }).then(function (info) {
      try { delete window.API; } catch (e) { window.API = undefined; }
      try { delete window.API_1484_11; } catch (e) { window.API_1484_11 = undefined; }
      var saved = info.saved;
      if (emulation && (info.runtime === 'scorm12' || info.runtime === 'scorm2004')) {
        // What this LMS hands a relaunch (review mode, or a fresh attempt).
        var say = function (text) { post('/__lk/api/lms', { target: target, id: id, event: text }).catch(noop); };
        var next = window.lkLmsQuirks.relaunch(info.runtime, saved, emulation, say);
        if (next === null) {
          post('/__lk/api/lms', { target: target, id: id, reset: true }).catch(noop);
          next = info.runtime === 'scorm12' ? { core: { entry: 'ab-initio' } } : { entry: 'ab-initio', learner_id: saved.learner_id, learner_name: saved.learner_name };
        }
        saved = next;
      }
      unloadingFrame = false;
      if (info.runtime === 'scorm12') window.API = makeApi('scorm12', saved, target, id);
      if (info.runtime === 'scorm2004') window.API_1484_11 = makeApi('scorm2004', saved, target, id);
      current = { target: target, id: id, key: info.key, runtime: info.runtime };
      records[info.key] = info.record;
      renderRecord();
      frame.addEventListener('load', function () { frameLoaded = true; }, { once: true });
      frame.src = info.src;
    }).catch(function (err) {
      statusEl.textContent = 'The launch failed: ' + err.message;
    });
  }

  function fmtScore(s) {
    if (!s) return '\u2013';
    var parts = [];
    if (s.scaled !== undefined) parts.push('scaled ' + s.scaled);
    if (s.raw !== undefined) parts.push('raw ' + s.raw + (s.max !== undefined ? ' of ' + s.max : ''));
    return parts.join(', ') || '\u2013';
  }

  function row(label, value, cls) {
    var dt = document.createElement('dt');
    dt.textContent = label;
    var dd = document.createElement('dd');
    dd.textContent = value === undefined || value === '' ? '\u2013' : String(value);
    if (cls) dd.className = cls;
    recordEl.appendChild(dt);
    recordEl.appendChild(dd);
  }

  function renderRecord() {
    recordEl.textContent = '';
    var r = current && records[current.key];
    if (!r) { statusEl.textContent = 'Nothing launched yet.'; statusEl.className = 'status'; return; }
    statusEl.textContent = r.completed ? 'Completed: the LMS records this item as done.' : 'Not completed: the LMS records "' + r.completion + '".';
    statusEl.className = 'status ' + (r.completed ? 'done' : 'todo');
    row('Item', current.key);
    row('Completion', r.completion);
    row('Success', r.success);
    row('Score', fmtScore(r.score));
    row('Progress', r.progress === undefined ? undefined : Math.round(r.progress * 100) + ' %');
    row('Location', r.location);
    row('Total time', r.totalTime);
    row('Session time', r.sessionTime);
    row('Exit', r.exit);
    var sd = r.suspendData;
    var sdText = sd.size + (sd.limit ? ' of ' + sd.limit + ' characters (' + Math.round((sd.size / sd.limit) * 100) + ' %)' : ' bytes (the standard sets no limit)');
    if (sd.level === 'warning') sdText += ' \u2013 warning: over 80 % of the limit';
    if (sd.level === 'error') sdText += ' \u2013 error: past the limit, the LMS may cut it';
    row(r.standard === 'xapi' || r.standard === 'cmi5' ? 'Resume state' : 'suspend_data', sdText, 'level-' + sd.level);
    row('Sessions', r.sessions);
    row('Session finished', r.finished ? 'yes' : 'no');
    if (r.satisfied !== undefined) row('Course satisfied (cmi5)', r.satisfied ? 'yes' : 'no');
  }

  function addLog(e) {
    var li = document.createElement('li');
    li.className = e.level;
    var kind = document.createElement('span');
    kind.className = 'kind';
    kind.textContent = '[' + e.kind + '] ';
    li.appendChild(kind);
    li.appendChild(document.createTextNode(e.text + (e.error ? '  error ' + e.error : '')));
    var stick = logBox.scrollTop + logBox.clientHeight >= logBox.scrollHeight - 4;
    logEl.appendChild(li);
    while (logEl.childNodes.length > 2000) logEl.removeChild(logEl.firstChild);
    if (stick) logBox.scrollTop = logBox.scrollHeight;
  }

  // --watch: the build's state in a live region; a good rebuild reloads the package frame
  // (the whole page when the targets or items changed), a failed one names the problems.
  var buildEl = $('lk-build');
  var buildId = null;
  function renderBuild(b) {
    if (!buildEl || !b || !b.watching) return;
    buildEl.textContent = '';
    var p = document.createElement('p');
    var changed = b.changed && b.changed.length ? ' (changed: ' + b.changed.join(', ') + ')' : '';
    if (b.state === 'building') p.textContent = 'Rebuilding' + changed + '\u2026';
    else if (b.state === 'ok') p.textContent = 'Build ' + b.id + ' is served' + (b.id > 1 ? ', rebuilt' + changed : '') + '. Watching the course for changes.';
    else {
      p.className = 'build-error';
      p.textContent = 'The rebuild failed; build ' + b.id + ' is still served. ' + (b.message || '');
    }
    buildEl.appendChild(p);
    var lines = (b.details || []).concat(b.hint ? ['fix: ' + b.hint] : []);
    if (b.state === 'error' && lines.length) {
      var ul = document.createElement('ul');
      lines.forEach(function (t) { var li = document.createElement('li'); li.textContent = t; ul.appendChild(li); });
      buildEl.appendChild(ul);
    }
  }
  function onBuild(b) {
    renderBuild(b);
    if (b.state !== 'ok' || b.id === buildId) return;
    var first = buildId === null;
    buildId = b.id;
    if (first) return;
    if (b.configChanged) {
      // New targets or items: the page itself carries the list, so load it again on the same item.
      if (current) location.hash = 'target=' + encodeURIComponent(current.target) + '&id=' + encodeURIComponent(current.id);
      location.reload();
    } else if (current) {
      launch(current.target, current.id);
    }
  }

  var events = new EventSource('/__lk/api/events');
  events.onmessage = function (m) {
    var msg = JSON.parse(m.data);
    if (msg.type === 'snapshot') {
      logEl.textContent = '';
      msg.data.log.forEach(addLog);
      msg.data.records.forEach(function (r) { records[r.key] = r.record; });
      renderRecord();
      if (msg.data.build) { buildId = msg.data.build.id; renderBuild(msg.data.build); }
    } else if (msg.type === 'log') {
      addLog(msg.data);
    } else if (msg.type === 'record') {
      records[msg.data.key] = msg.data.record;
      if (current && current.key === msg.data.key) renderRecord();
    } else if (msg.type === 'build') {
      onBuild(msg.data);
    } else if (msg.type === 'reload' && current) {
      launch(current.target, current.id);
    }
  };

  targetSel.addEventListener('change', function () {
    var pkg = packageOf(targetSel.value);
    fillItems(targetSel.value);
    itemSel.setAttribute('data-target', targetSel.value);
    if (pkg && pkg.launchables[0]) launch(pkg.target, pkg.launchables[0].id);
  });
  $('lk-launch').addEventListener('click', function () { launch(targetSel.value, itemSel.value); });
  $('lk-relaunch').addEventListener('click', function () { if (current) launch(current.target, current.id); });
  $('lk-reset').addEventListener('click', function () {
    if (!current) return;
    var c = current;
    unload().then(function () { return post('/__lk/api/reset', { target: c.target, id: c.id }); }).then(function () { return launch(c.target, c.id); });
  });

  // For tests and `--headless --play`: what is launched and what the panel shows.
  window.lkPreview = { current: function () { return current; }, record: function () { return current && records[current.key]; }, launch: launch, idle: function () { return queue; }, buildId: function () { return buildId; } };

  if (emulation) {
    var lmsEl = $('lk-lms');
    lmsEl.textContent = 'Emulating ' + emulation.title + ': its known quirks are switched on (--lms ' + emulation.profile + ', see docs/lms.md). What it does on its own shows in the live log as [quirk].';
    lmsEl.hidden = false;
  }
  fillTargets();
  var hash = new URLSearchParams(location.hash.slice(1));
  var first = config.packages[0];
  var target = hash.get('target') || (first && first.target);
  var pkg = packageOf(target) || first;
  var id = hash.get('id') || (pkg && pkg.launchables[0] && pkg.launchables[0].id);
  if (pkg && id) launch(pkg.target, id);
})();
