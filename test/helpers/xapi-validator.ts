/**
 * The independent xAPI statement check the browser tests apply to every statement the player
 * sends: Learning Locker's validator (`@learninglocker/xapi-validation`, conformance tested in
 * their LRS), which shares no code with lessonkit's loopback LRS (that one uses Rustici's JSON
 * Schema).
 */
import { createRequire } from 'node:module';

type Warning = { path: string[]; constructor: { name: string } };
const require = createRequire(import.meta.url);
const mod = require('@learninglocker/xapi-validation') as { default?: (data: unknown) => Warning[] } | ((data: unknown) => Warning[]);
const validate = typeof mod === 'function' ? mod : (mod.default as (data: unknown) => Warning[]);

/** The problems Learning Locker's validator finds in `statement` (empty when valid). */
export function independentStatementProblems(statement: unknown): string[] {
  return validate(statement).map((w) => `${w.path.join('.')}: ${w.constructor.name}`);
}

/** Every statement with at least one problem, with its problems (empty when all are valid). */
export function invalidStatements(statements: unknown[]): { id: unknown; verb: unknown; problems: string[] }[] {
  return statements
    .map((s) => ({ id: (s as { id?: unknown }).id, verb: (s as { verb?: { id?: unknown } }).verb?.id, problems: independentStatementProblems(s) }))
    .filter((r) => r.problems.length > 0);
}
