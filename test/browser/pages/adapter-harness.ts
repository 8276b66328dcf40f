// Browser-side harness for the xAPI/cmi5 adapter tests: the real adapters from the player
// bundle, driven by the test as the player would drive them.
import { ADAPTERS } from '../../../src/player/adapters/index.js';
import type { LmsAdapter } from '../../../src/player/adapters/types.js';

declare global {
  interface Window {
    harness: { logs: string[]; adapter?: LmsAdapter; create(name: string, courseIri: string): void };
  }
}

window.harness = {
  logs: [],
  create(name: string, courseIri: string) {
    const factory = ADAPTERS[name];
    if (!factory) throw new Error(`no adapter ${name}`);
    window.harness.adapter = factory({ courseId: 'harness-course', courseVersion: '1.0.0', courseIri, courseTitle: 'Harness course', window, log: (m) => window.harness.logs.push(m) });
  },
};
