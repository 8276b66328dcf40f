/**
 * xAPI 1.0.x statement validation for the loopback LRS: Rustici's published JSON Schema
 * (`tin-can-json-schema`, draft-04) compiled with ajv, plus the rules of the xAPI Data
 * section that a JSON Schema cannot say. Loaded lazily: only the LRS pays for it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

/** One problem found in a statement. */
export interface StatementProblem {
  /** JSON pointer into the statement (`/verb/id`), empty for the whole statement. */
  path: string;
  /** What is wrong, in the schema's or the spec's words. */
  message: string;
}

/** An xAPI statement as plain JSON. */
export type XapiStatement = Record<string, unknown>;

const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';

let compiled: ValidateFunction | undefined;

/**
 * The draft-04 schema uses `id: "#name"` for its definitions; ajv 8 speaks draft-07, where the
 * same thing is spelled `$id`. Renaming the keyword (only where its value is a string, so a
 * property that happens to be called `id` is left alone) is the whole conversion this schema
 * needs: it uses no other draft-04-only keyword (no boolean exclusiveMinimum/Maximum).
 */
function toDraft07(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toDraft07);
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$schema') continue;
      if (k === 'id' && typeof v === 'string') out.$id = v;
      else out[k] = toDraft07(v);
    }
    return out;
  }
  return node;
}

function statementValidator(): ValidateFunction {
  if (compiled) return compiled;
  const require = createRequire(import.meta.url);
  const schemaFile = require.resolve('tin-can-json-schema/1.0.1.json');
  const formatsFile = require.resolve('tin-can-json-schema/formats.json');
  const schema = toDraft07(JSON.parse(readFileSync(schemaFile, 'utf8'))) as Record<string, unknown>;
  schema.$id = 'tcapi:1.0.1';
  const formats = JSON.parse(readFileSync(formatsFile, 'utf8')) as Record<string, string>;
  // The format patterns use lone surrogate ranges, which only compile without the `u` flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  for (const [name, pattern] of Object.entries(formats)) ajv.addFormat(name, new RegExp(pattern));
  ajv.addSchema(schema);
  compiled = ajv.compile({ $ref: 'tcapi:1.0.1#statement' });
  return compiled;
}

/**
 * Checks one statement against the xAPI 1.0.3 data model. Returns every problem found; an
 * empty list means the statement is valid.
 */
export function checkStatement(statement: unknown): StatementProblem[] {
  const validate = statementValidator();
  const problems: StatementProblem[] = [];
  if (!validate(statement)) {
    for (const e of validate.errors ?? []) problems.push({ path: e.instancePath, message: e.message ?? 'is invalid' });
    // oneOf/anyOf failures repeat the same message per branch; keep each once.
    return dedupe(problems);
  }
  const s = statement as XapiStatement;
  const verb = s.verb as { id?: string } | undefined;
  const object = s.object as { objectType?: string } | undefined;
  const context = s.context as Record<string, unknown> | undefined;
  if (verb?.id === VOIDED && object?.objectType !== 'StatementRef') {
    problems.push({ path: '/object', message: 'a voiding statement must have a StatementRef as its object' });
  }
  if (context && object?.objectType !== undefined && object.objectType !== 'Activity') {
    if (context.revision !== undefined) problems.push({ path: '/context/revision', message: 'revision is only allowed when the object is an Activity' });
    if (context.platform !== undefined) problems.push({ path: '/context/platform', message: 'platform is only allowed when the object is an Activity' });
  }
  if (typeof s.version === 'string' && !/^1\.0(\.\d+)?$/.test(s.version)) {
    problems.push({ path: '/version', message: `version "${s.version}" is not a 1.0.x version` });
  }
  const score = (s.result as { score?: { scaled?: number; raw?: number; min?: number; max?: number } } | undefined)?.score;
  if (score) {
    if (score.scaled !== undefined && (score.scaled < -1 || score.scaled > 1)) problems.push({ path: '/result/score/scaled', message: 'scaled must be between -1 and 1' });
    if (score.min !== undefined && score.max !== undefined && score.min > score.max) problems.push({ path: '/result/score', message: 'min must not exceed max' });
    if (score.raw !== undefined && ((score.min !== undefined && score.raw < score.min) || (score.max !== undefined && score.raw > score.max))) {
      problems.push({ path: '/result/score/raw', message: 'raw must lie between min and max' });
    }
  }
  return problems;
}

function dedupe(problems: StatementProblem[]): StatementProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path} ${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
