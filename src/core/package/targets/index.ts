/**
 * The target registry: every packaging target by name. Adding a target (xapi, cmi5) is a file
 * in this folder plus one line here.
 */
import { cmi5Target } from './cmi5.js';
import { scorm12Target } from './scorm12.js';
import { scorm2004FourthTarget, scorm2004ThirdTarget } from './scorm2004.js';
import type { PackageTarget, PackageTargetName } from './types.js';
import { webTarget } from './web.js';
import { xapiTarget } from './xapi.js';

/** The targets `build` can write, by name. */
export const PACKAGE_TARGETS: Partial<Record<PackageTargetName, PackageTarget>> = {
  scorm12: scorm12Target,
  'scorm2004-3rd': scorm2004ThirdTarget,
  'scorm2004-4th': scorm2004FourthTarget,
  web: webTarget,
  xapi: xapiTarget,
  cmi5: cmi5Target,
};

/** Looks a target up by name (`scorm2004` is `scorm2004-4th`); undefined when it does not exist. */
export function getPackageTarget(name: string): PackageTarget | undefined {
  const resolved = name === 'scorm2004' ? 'scorm2004-4th' : name;
  return Object.prototype.hasOwnProperty.call(PACKAGE_TARGETS, resolved) ? PACKAGE_TARGETS[resolved as PackageTargetName] : undefined;
}
