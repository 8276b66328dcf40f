/**
 * The references under docs/ stay true to the code: every key the course.yaml and quiz
 * schemas accept is documented, and the rule catalogue is checked in test/unit/validate.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { courseJsonSchema } from '../../../src/core/course/schema.js';
import { quizJsonSchema } from '../../../src/core/workbook/quiz.js';
import { REPO } from '../../helpers/cli.js';

interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  $ref?: string;
}

/** Every property name the schema accepts, at any depth. */
function propertyNames(node: JsonSchemaNode | undefined, out = new Set<string>(), seen = new Set<JsonSchemaNode>()): Set<string> {
  if (!node || typeof node !== 'object' || seen.has(node)) return out;
  seen.add(node);
  for (const [k, v] of Object.entries(node.properties ?? {})) {
    if (k !== '$schema') out.add(k);
    propertyNames(v, out, seen);
  }
  propertyNames(node.items, out, seen);
  for (const n of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) propertyNames(n, out, seen);
  return out;
}

const doc = readFileSync(path.join(REPO, 'docs/course-yaml.md'), 'utf8');

describe('docs/course-yaml.md', () => {
  it('documents every course.yaml key the schema accepts', () => {
    const keys = [...propertyNames(courseJsonSchema() as JsonSchemaNode)];
    expect(keys.length).toBeGreaterThan(15);
    const missing = keys.filter((k) => !new RegExp(`\`(?:[\\w.\\[\\]]*\\.)?${k}\\b`).test(doc));
    expect(missing).toEqual([]);
  });

  it('documents every quiz key the schema accepts', () => {
    const keys = [...propertyNames(quizJsonSchema() as JsonSchemaNode)];
    expect(keys.length).toBeGreaterThan(8);
    const missing = keys.filter((k) => !new RegExp(`\`(?:[\\w.\\[\\]]*\\.)?${k}\\b`).test(doc));
    expect(missing).toEqual([]);
  });
});
