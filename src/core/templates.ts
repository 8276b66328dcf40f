import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

/** The folder holding the shipped templates (package root `templates/`). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/** One private Handlebars instance: strict, HTML-escaping on. */
const hbs = Handlebars.create();

/** A YAML double-quoted scalar (JSON strings are valid YAML). Safe: the code produces it. */
hbs.registerHelper('yamlString', (value: unknown) => new hbs.SafeString(JSON.stringify(String(value ?? ''))));
/** Text placed in Markdown prose: Markdown and HTML metacharacters escaped. */
hbs.registerHelper('md', (value: unknown) => new hbs.SafeString(escapeMarkdown(String(value ?? ''))));
/** XML text or attribute content. */
hbs.registerHelper('xml', (value: unknown) => new hbs.SafeString(escapeXml(String(value ?? ''))));
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('json', (value: unknown) => new hbs.SafeString(jsonForScript(value)));

const cache = new Map<string, Handlebars.TemplateDelegate>();

/** Renders `templates/<name>` with `data`. Missing fields are errors (strict mode). */
export async function renderTemplate(name: string, data: object): Promise<string> {
  let tpl = cache.get(name);
  if (!tpl) {
    const source = await readFile(new URL(name, new URL('../../templates/', import.meta.url)), 'utf8');
    tpl = hbs.compile(source, { strict: true });
    cache.set(name, tpl);
  }
  return tpl(data);
}

/** Escapes Markdown and HTML metacharacters so author text stays literal prose. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~]/g, (ch) => `\\${ch}`).replace(/&/g, '&amp;');
}

/** Escapes the five XML special characters. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] ?? ch);
}

/** JSON that is safe inside an HTML <script> element (no `</script>`, no U+2028 breaks). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
