/*
 * lessonkit's LMS emulator: what real LMSs do wrong (docs/lms.md), reproduced over scorm-again.
 * `lessonkit preview --lms NAME` wraps its run-time with it, and the browser tests' LMS page
 * loads this same file, so the quirks the tests prove lessonkit survives are the ones the preview
 * shows. The settings come from src/core/preview/lms-quirks.ts (LmsEmulation).
 *
 * What the LMS has *stored* is what a Commit or Finish persisted, as a real LMS keeps it on its
 * server; a relaunch starts from that (host.store), not from the run-time's memory.
 */
(function (root) {
  'use strict';

  // A key-value store in place of a data model (Open edX's SCORM XBlock): what the LMS sets
  // itself (entry, mode, credit) and every _count stay empty, and no call ever reports an error.
  var NEVER_SET = /^cmi\.(core\.(entry|lesson_mode|credit)|entry|mode|credit)$|\._count$/;

  function names(flavour) {
    return flavour === 'scorm12'
      ? { init: 'LMSInitialize', get: 'LMSGetValue', set: 'LMSSetValue', commit: 'LMSCommit', finish: 'LMSFinish', gle: 'LMSGetLastError', status: 'cmi.core.lesson_status', mode: 'cmi.core.lesson_mode' }
      : { init: 'Initialize', get: 'GetValue', set: 'SetValue', commit: 'Commit', finish: 'Terminate', gle: 'GetLastError', status: 'cmi.completion_status', mode: 'cmi.mode' };
  }

  function statusOf(flavour, cmi) {
    if (!cmi) return '';
    return String((flavour === 'scorm12' ? (cmi.core || {}).lesson_status : cmi.completion_status) || '');
  }

  function withStatus(flavour, cmi, status) {
    var copy = JSON.parse(JSON.stringify(cmi || {}));
    if (flavour === 'scorm12') { copy.core = copy.core || {}; copy.core.lesson_status = status; } else copy.completion_status = status;
    return copy;
  }

  /**
   * Wraps `api` (a scorm-again Scorm12API / Scorm2004API) in place with the quirks of `e`.
   * host: { snapshot() -> cmi, store(cmi, reason), event(text), unloading() -> bool,
   *         finished() (a Finish the LMS took without the run-time), setsCompletion (the manifest's
   *         completionSetByContent), now() -> ms }.
   * Returns a handle whose `expired` tells whether the session ran out and `saving` whether a
   * commit is still being saved in the background.
   */
  function wrap(api, flavour, e, host) {
    var n = names(flavour);
    var real = {};
    [n.init, n.get, n.set, n.commit, n.finish, n.gle].forEach(function (m) { real[m] = api[m].bind(api); });
    var now = host.now || Date.now;
    var handle = { expired: false, saving: false };
    var forced = null;
    var lastTraffic = now();
    var pendingSave = null;
    // The background save of a Commit takes this long; a Terminate within it cancels the save.
    var SAVE_MS = 300;
    var savingSince = 0;
    function saved() { clearTimeout(pendingSave); pendingSave = null; handle.saving = false; store('commit'); }
    var told = {};
    var reported = false;
    var launchRecord = null;
    function say(key, text) {
      if (key && told[key]) return;
      if (key) told[key] = true;
      host.event(text + ' (' + (e.title || 'emulated LMS') + ')');
    }
    function fail(code) { forced = code; return 'false'; }
    function store(reason) {
      var cmi = host.snapshot();
      var status = statusOf(flavour, cmi);
      if (status && status !== 'not attempted' && status !== 'unknown') reported = true;
      if (launchRecord && !reported) cmi = withStatus(flavour, cmi, statusOf(flavour, launchRecord));
      host.store(cmi, reason);
    }
    function expired() {
      if (e.sessionExpiresAfterMs && now() - lastTraffic > e.sessionExpiresAfterMs && !handle.expired) {
        handle.expired = true;
        say('expired', 'Session expired after ' + Math.round(e.sessionExpiresAfterMs / 60000) + ' minutes without traffic: every later call is refused');
      }
      return handle.expired;
    }
    // Whether a call is lost because the content is unloading; says why once per kind.
    function unloadLoses(method) {
      if (!host.unloading()) return false;
      if (e.noUnloadEvents) { say('nounload-' + method, method + ' during unload never arrived: this LMS\u2019s frame runs no unload handlers'); return true; }
      if (e.commitFailsOnUnload && (method === n.commit || method === n.finish)) { say('unload-' + method, (method === n.commit ? 'Commit' : 'Finish') + ' refused during unload'); return true; }
      return false;
    }

    api[n.gle] = function () { var c = forced !== null ? forced : real[n.gle](); forced = null; return e.partialDataModel ? '0' : c; };
    api[n.init] = function (arg) {
      var r = real[n.init](arg);
      if (e.completedOnLaunch && String(r) === 'true') {
        launchRecord = withStatus(flavour, host.snapshot(), 'completed');
        host.store(launchRecord, 'launch');
        say('launch', 'Recorded completed at launch (enrollment not required); a status from the content replaces it');
      }
      return r;
    };
    api[n.get] = function (el) {
      if (e.noLessonMode && el === n.mode) { say('mode', el + ' is not set (error 401)'); forced = '401'; return ''; }
      if (e.partialDataModel && NEVER_SET.test(el)) { say('partial-' + el, el + ' is not kept by this LMS: it answers an empty string, never an error'); forced = '0'; return ''; }
      return real[n.get](el);
    };
    api[n.set] = function (el, value) {
      if (unloadLoses(n.set)) { if (e.noUnloadEvents) { forced = '0'; return 'true'; } return fail('101'); }
      if (expired()) return fail('101');
      value = String(value);
      if (e.strict255 && value.length > 255 && el !== 'cmi.suspend_data') { say('', 'Refused ' + el + ': ' + value.length + ' characters, over 255'); return fail(flavour === 'scorm12' ? '405' : '406'); }
      if (e.ignoresSetValue) { say('ignores', 'SetValue answered true but kept nothing'); forced = '0'; return 'true'; }
      if (e.truncateSuspendData && el === 'cmi.suspend_data' && value.length > e.truncateSuspendData) {
        say('', 'suspend_data cut from ' + value.length + ' to ' + e.truncateSuspendData + ' characters without an error');
        value = value.slice(0, e.truncateSuspendData);
      }
      var ok = real[n.set](el, value);
      // A store that keeps whatever it is given answers true, even where a data model would refuse.
      return e.partialDataModel ? 'true' : ok;
    };
    api[n.commit] = function (arg) {
      if (unloadLoses(n.commit)) { if (e.noUnloadEvents) { forced = '0'; return 'true'; } return fail('101'); }
      if (expired()) return fail('101');
      var r = real[n.commit](arg);
      lastTraffic = now();
      if (e.commitBeforeTerminateLoses && flavour === 'scorm2004') {
        // The LMS saves a commit in the background; a Terminate arriving meanwhile cancels it.
        clearTimeout(pendingSave);
        handle.saving = true;
        savingSince = now();
        pendingSave = setTimeout(saved, SAVE_MS);
      } else store('commit');
      return r;
    };
    api[n.finish] = function (arg) {
      if (unloadLoses(n.finish)) { host.finished(); if (e.noUnloadEvents) { forced = '0'; return 'true'; } return fail('101'); }
      if (expired()) { host.finished(); return fail('101'); }
      // Judged by the time since the Commit, not by whether the timer has run: a busy page can
      // handle the click that ends the session before a timer that was due long before it.
      if (pendingSave !== null && now() - savingSince >= SAVE_MS) saved();
      if (pendingSave !== null) {
        clearTimeout(pendingSave);
        pendingSave = null;
        handle.saving = false;
        host.finished();
        say('', 'Terminate arrived while the last Commit was still being saved: the data of both was lost');
        return 'true';
      }
      // What the run-time holds is what the LMS keeps, whatever scorm-again's own answer.
      var r = real[n.finish](arg);
      if (e.completeOnExitUnlessSetByContent && flavour === 'scorm2004' && !host.setsCompletion && statusOf(flavour, host.snapshot()) !== 'completed') {
        host.store(withStatus(flavour, host.snapshot(), 'completed'), 'finish');
        say('', 'Marked completed on exit: the manifest does not say the content sets completion (completionSetByContent)');
        return r;
      }
      store('finish');
      return r;
    };
    return handle;
  }

  /**
   * What the next launch gets from `saved` (the record the LMS hands scorm-again, built from what
   * it stored): in review mode where a failed SCORM 1.2 attempt is final; nothing (a fresh attempt)
   * where SCORM 2004 starts over unless the last exit was suspend. `say(text)` reports the quirk.
   */
  function relaunch(flavour, saved, e, say) {
    if (!saved || !e) return saved;
    var tell = function (text) { if (say) say(text + ' (' + (e.title || 'emulated LMS') + ')'); };
    if (flavour === 'scorm12' && e.failedIsFinal && statusOf(flavour, saved) === 'failed') {
      var copy = JSON.parse(JSON.stringify(saved));
      copy.core = copy.core || {};
      copy.core.lesson_mode = 'review';
      tell('The attempt was stored as failed: it reopens in review mode and cannot be retaken');
      return copy;
    }
    var exit = flavour === 'scorm2004' ? String(saved.exit || '') : '';
    if (flavour === 'scorm2004' && e.newAttemptUnlessSuspended && exit !== 'suspend' && Object.keys(saved).length > 0 && statusOf(flavour, saved)) {
      tell('The last exit was not suspend: a new attempt starts and nothing is carried over');
      return null;
    }
    return saved;
  }

  root.lkLmsQuirks = { wrap: wrap, relaunch: relaunch };
})(window);
