import { describe, expect, it } from 'vitest';
import { LMS_NAMES, LMS_PROFILES } from '../../../src/core/package/lms/index.js';
import type { LmsQuirk } from '../../../src/core/package/lms/types.js';
import { emulationOf, manifestSetsCompletion, profileEmulation } from '../../../src/core/preview/lms-quirks.js';

describe('the LMS emulator settings', () => {
  it('turns every quirk name a profile can carry into a setting the browser layer reads', () => {
    const all: LmsQuirk[] = ['commit-fails-on-unload', 'commit-before-terminate-loses', 'failed-is-final', 'session-expires', 'no-lesson-mode', 'strict-255', 'no-unload-events', 'new-attempt-unless-suspended', 'truncate-suspend-data', 'completed-on-launch', 'complete-on-exit-unless-set-by-content', 'partial-data-model'];
    for (const q of all) expect(Object.keys(emulationOf([q])).length, q).toBe(3);
    expect(emulationOf(['session-expires']).sessionExpiresAfterMs).toBe(30 * 60_000);
    expect(emulationOf(['truncate-suspend-data']).truncateSuspendData).toBe(4096);
  });

  it('is keyed by profile: its name, its title, its quirks', () => {
    expect(profileEmulation('cornerstone')).toEqual({ profile: 'cornerstone', title: 'Cornerstone OnDemand', commitFailsOnUnload: true, commitBeforeTerminateLoses: true, failedIsFinal: true });
    expect(profileEmulation('generic')).toEqual({ profile: 'generic', title: 'Any SCORM LMS' });
    for (const name of LMS_NAMES) expect(profileEmulation(name).title).toBe(LMS_PROFILES[name].title);
  });

  it('reads completionSetByContent from a SCORM 2004 manifest', () => {
    expect(manifestSetsCompletion('<imsss:sequencing><imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/></imsss:sequencing>')).toBe(true);
    expect(manifestSetsCompletion("<deliveryControls objectiveSetByContent='true' completionSetByContent='true'/>")).toBe(true);
    expect(manifestSetsCompletion('<imsss:deliveryControls completionSetByContent="false"/>')).toBe(false);
    expect(manifestSetsCompletion('<manifest><organizations/></manifest>')).toBe(false);
  });
});
