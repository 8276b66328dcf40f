/**
 * The adapter registry: the launch page names an adapter and the player builds it from here.
 * Adding a standard (xAPI, cmi5) is one file beside these plus one line below.
 */
import { createCmi5Adapter } from './cmi5.js';
import { createScorm12Adapter } from './scorm12.js';
import { createScorm2004Adapter } from './scorm2004.js';
import type { AdapterFactory } from './types.js';
import { createWebAdapter } from './web.js';
import { createXapiAdapter } from './xapi.js';

/** Every adapter the player bundle contains, by the name launch pages use. */
export const ADAPTERS: Record<string, AdapterFactory> = {
  web: createWebAdapter,
  scorm12: createScorm12Adapter,
  scorm2004: createScorm2004Adapter,
  xapi: createXapiAdapter,
  cmi5: createCmi5Adapter,
};
