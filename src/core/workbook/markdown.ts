/**
 * Markdown -> HTML for workbooks and cheat-sheets, sanitized by construction.
 *
 * markdown-it parses the author's text into tokens; this module then walks the tokens and
 * keeps only what it knows: raw HTML tokens are dropped (except a tiny allowlist of bare
 * inline tags such as `<kbd>`, re-emitted by our own renderer rule with no attributes),
 * every link and image URL is classified and either resolved to a file inside the bundle,
 * kept as an http/https/mailto link, or removed. Nothing the author writes reaches the
 * output except through markdown-it's escaping renderer, so script, event handlers,
 * iframes and forms cannot appear, whatever the input.
 */
import MarkdownIt from 'markdown-it';
import type { MarkdownIt as MarkdownItInstance, Token } from 'markdown-it';

/** Inline tags an author may write in Markdown, bare (no attributes): keyboard keys and a few text marks. */
export const ALLOWED_INLINE_TAGS: readonly string[] = ['kbd', 'sub', 'sup', 'mark', 'br'];

/** Ids the page template uses; author headings never get them. */
const RESERVED_IDS = new Set(['lk-content', 'lk-toc', 'lk-toc-h', 'lk-skip']);

/** One problem found while rendering, located in the Markdown file. */
export interface MarkdownProblem {
  /** 1-based line in the Markdown file. */
  line: number;
  /** What is wrong, naming the value. */
  message: string;
  /** How to fix it. */
  hint?: string;
  /** Errors fail the build; warnings are reported. */
  severity: 'error' | 'warning';
}

/** A heading of the document, for the table of contents. */
export interface MarkdownHeading {
  /** 1..6 */
  level: number;
  /** The id the heading got (unique in the page). */
  id: string;
  /** Plain text of the heading. */
  text: string;
}

/** A link or image found in the document; the caller resolves it, then {@link renderParsed} writes it. */
export interface MarkdownReference {
  /** `link` for `[text](url)` and autolinks, `image` for `![alt](url)`. */
  kind: 'link' | 'image';
  /** The URL as written (after markdown-it's normalisation, percent-encoded). */
  url: string;
  /** 1-based line. */
  line: number;
  /** For images: the alt text as plain text. */
  alt?: string;
  /** Set by the caller: the URL to write, or `null` to drop the link/image and keep its text. */
  resolved?: string | null;
  /** Set by the caller for images: intrinsic size for width/height. */
  size?: { width: number; height: number };
  /** Set by the caller for links: the target is outside the bundle (adds rel=noopener). */
  external?: boolean;
}

/** A parsed document, ready to render once its references are resolved. */
export interface ParsedMarkdown {
  /** The first-level heading that opens the document, as plain text (the page title). */
  title?: string;
  /** @internal the title's inline token (rendered by {@link renderParsed}, after its links are resolved). */
  titleToken?: Token;
  /** Headings after the title, in order. */
  headings: MarkdownHeading[];
  /** Links and images, in order. */
  references: MarkdownReference[];
  /** Problems found while parsing (raw HTML removed...). */
  problems: MarkdownProblem[];
  /** @internal the token stream. */
  tokens: Token[];
}

/** Builds the one markdown-it configuration workbooks use. */
function createMarkdown(): MarkdownItInstance {
  // html: true only so raw HTML arrives as html_block/html_inline tokens we can drop whole
  // (with html: false its text would survive, escaped, and read as noise in the workbook).
  const md = new MarkdownIt({ html: true, linkify: true, typographer: false, breaks: false });
  // Every URL reaches our own classification (which reports its line); markdown-it's
  // validator would silently turn a rejected link into literal text instead.
  md.validateLink = () => true;

  const rules = md.renderer.rules;
  rules.lk_tag = (tokens, idx) => {
    const t = tokens[idx];
    const name = String(t?.meta?.tag ?? '');
    if (!ALLOWED_INLINE_TAGS.includes(name)) return '';
    if (name === 'br') return '<br>';
    return t?.meta?.closing ? `</${name}>` : `<${name}>`;
  };
  rules.lk_task_open = (tokens, idx) => {
    const t = tokens[idx];
    return `<label class="task"><input type="checkbox" class="task-box"${t?.meta?.checked ? ' checked' : ''}> `;
  };
  rules.lk_task_close = () => '</label>';
  let tableCount = 0;
  rules.table_open = (tokens, idx, options, _env, self) => {
    tableCount += 1;
    // A wide table scrolls inside its own focusable region, never the page (WCAG 1.4.10 reflow).
    return `<div class="table-wrap" role="region" tabindex="0" aria-label="Table ${tableCount}">` + self.renderToken(tokens, idx, options);
  };
  rules.table_close = (tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options) + '</div>\n';
  const defaultImage = rules.image;
  rules.image = (tokens, idx, options, env, self) => {
    const t = tokens[idx];
    if (t) {
      t.attrSet('loading', 'lazy');
      t.attrSet('decoding', 'async');
    }
    return defaultImage ? defaultImage(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
  };
  // Reset the per-document counter at the start of each render.
  const render = md.renderer.render.bind(md.renderer);
  md.renderer.render = (tokens, options, env) => {
    tableCount = 0;
    return render(tokens, options, env);
  };
  return md;
}

const md = createMarkdown();
/** markdown-it's Token class (not exported by its ESM entry); taken from a parsed token. */
const TokenClass = (md.parse('x', {})[0] as Token).constructor as new (type: string, tag: string, nesting: number) => Token;

/** Turns heading text into an id: lowercase ASCII letters, digits and dashes. */
export function headingSlug(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || 'section';
}

/** Elements whose content is code or form data, never prose. */
const RAW_TEXT_TAGS: readonly string[] = ['script', 'style', 'textarea', 'title', 'xmp', 'noscript', 'template'];

const BARE_TAG = /^<(\/?)([a-z]+)\s*\/?>$/i;
const COMMENT = /^<!--[\s\S]*?-->\s*$/;

/** Parses Markdown and collects what the caller must resolve. Does not touch the file system. */
export function parseMarkdown(source: string): ParsedMarkdown {
  const tokens = md.parse(source, {});
  const problems: MarkdownProblem[] = [];
  const references: MarkdownReference[] = [];
  const headings: MarkdownHeading[] = [];
  const usedIds = new Set<string>(RESERVED_IDS);
  const out: Token[] = [];
  let line = 1;
  let title: string | undefined;
  let titleToken: Token | undefined;
  const listStack: Token[] = [];

  const rawHtmlRemoved = (content: string, at: number) => {
    const tag = /^<\/?([a-zA-Z][a-zA-Z0-9-]*)/.exec(content.trim())?.[1];
    problems.push({
      line: at,
      message: `raw HTML ${tag ? `<${tag.toLowerCase()}>` : JSON.stringify(content.trim().slice(0, 30))} was removed (workbooks allow only ${ALLOWED_INLINE_TAGS.map((t) => `<${t}>`).join(', ')} without attributes)`,
      hint: 'write it in Markdown instead',
      severity: 'warning',
    });
  };

  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as Token;
    if (token.map) line = token.map[0] + 1;
    switch (token.type) {
      case 'html_block': {
        const content = token.content.trim();
        // Comments are the author's notes (the scaffolded files use them): dropped silently.
        if (!COMMENT.test(content) && !isAllowedBareTag(content)) rawHtmlRemoved(content, line);
        continue;
      }
      case 'bullet_list_open':
      case 'ordered_list_open':
        listStack.push(token);
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        listStack.pop();
        break;
      case 'list_item_open': {
        const para = tokens[i + 1];
        const inline = tokens[i + 2];
        if (para?.type === 'paragraph_open' && inline?.type === 'inline') markTask(token, inline, listStack[listStack.length - 1]);
        break;
      }
      case 'heading_open': {
        const inline = tokens[i + 1];
        const close = tokens[i + 2];
        if (inline?.type !== 'inline' || !close) break;
        cleanInline(inline, line, problems, references);
        const text = inlineText(inline);
        // The document's opening h1 becomes the page title (shown in the page header).
        if (token.tag === 'h1' && title === undefined && headings.length === 0 && out.every((t) => t.type === 'html_block' || t.hidden)) {
          title = text;
          titleToken = inline;
          i += 2;
          continue;
        }
        let id = headingSlug(text);
        for (let n = 2; usedIds.has(id); n += 1) id = `${headingSlug(text)}-${n}`;
        usedIds.add(id);
        token.attrSet('id', id);
        headings.push({ level: Number(token.tag.slice(1)), id, text });
        out.push(token, inline, close);
        i += 2;
        continue;
      }
      case 'inline':
        cleanInline(token, line, problems, references);
        break;
      case 'fence':
        // The info string only ever becomes a class name: keep a plain language word.
        token.info = (/^[A-Za-z0-9_+-]{1,30}/.exec(token.info.trim()) ?? [''])[0];
        break;
      default:
        break;
    }
    out.push(token);
  }
  // Titles can hold links too; they were collected by cleanInline above.
  return { ...(title !== undefined ? { title, titleToken } : {}), headings, references, problems, tokens: out };
}

function isAllowedBareTag(content: string): boolean {
  const m = BARE_TAG.exec(content);
  return Boolean(m && ALLOWED_INLINE_TAGS.includes((m[2] ?? '').toLowerCase()));
}

/** Turns `[ ] text` / `[x] text` list items into labelled checkboxes. */
function markTask(item: Token, inline: Token, list: Token | undefined): void {
  const first = inline.children?.[0];
  if (!first || first.type !== 'text') return;
  const m = /^\[([ xX])\]\s+/.exec(first.content);
  if (!m) return;
  first.content = first.content.slice(m[0].length);
  item.attrJoin('class', 'task-item');
  if (list && !String(list.attrGet('class') ?? '').includes('task-list')) list.attrJoin('class', 'task-list');
  const open = new TokenClass('lk_task_open', '', 0);
  open.meta = { checked: m[1] !== ' ' };
  const close = new TokenClass('lk_task_close', '', 0);
  // Guard against marking twice (a list item is visited once, but stay idempotent).
  if (item.meta?.task) return;
  item.meta = { ...(item.meta ?? {}), task: true };
  inline.children = [open, ...(inline.children ?? []), close];
}

/**
 * Drops raw HTML from an inline token's children (keeping bare allowlisted tags, balanced),
 * and records every link and image with its line.
 */
function cleanInline(inline: Token, blockLine: number, problems: MarkdownProblem[], references: MarkdownReference[]): void {
  const children = inline.children ?? [];
  const kept: Token[] = [];
  const open: string[] = [];
  let line = blockLine;
  // Inside an inline <script>/<style>/<textarea>, the text is code, not prose: dropped with the tags.
  let skippingUntil: string | undefined;
  for (const child of children) {
    if (child.type === 'softbreak' || child.type === 'hardbreak') line += 1;
    if (child.type === 'text' || child.type === 'code_inline') line += (child.content.match(/\n/g) ?? []).length;
    if (skippingUntil) {
      if (child.type === 'html_inline' && new RegExp(`^</${skippingUntil}\\s*>$`, 'i').test(child.content)) skippingUntil = undefined;
      continue;
    }
    if (child.type === 'html_inline') {
      const content = child.content;
      if (COMMENT.test(content)) continue;
      const m = BARE_TAG.exec(content);
      const tag = (m?.[2] ?? '').toLowerCase();
      if (m && ALLOWED_INLINE_TAGS.includes(tag)) {
        const closing = m[1] === '/';
        if (tag !== 'br') {
          if (closing) {
            // A closer without its opener is dropped, so the output stays balanced.
            const at = open.lastIndexOf(tag);
            if (at === -1) continue;
            const unclosed = open.splice(at);
            unclosed.shift();
            for (const t of unclosed.reverse()) kept.push(tagToken(t, true));
          } else open.push(tag);
        }
        kept.push(tagToken(tag, closing));
        continue;
      }
      const name = (/^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(content)?.[1] ?? '').toLowerCase();
      if (RAW_TEXT_TAGS.includes(name)) skippingUntil = name;
      // One warning per element: its closing tag goes without saying.
      if (!content.startsWith('</')) {
        problems.push({
          line,
          message: `raw HTML ${name ? `<${name}>` : 'markup'} was removed (workbooks allow only ${ALLOWED_INLINE_TAGS.map((t) => `<${t}>`).join(', ')} without attributes)`,
          hint: 'write it in Markdown instead',
          severity: 'warning',
        });
      }
      continue;
    }
    if (child.type === 'link_open') {
      const ref: MarkdownReference = { kind: 'link', url: String(child.attrGet('href') ?? ''), line };
      references.push(ref);
      child.meta = { ...(child.meta ?? {}), ref };
    } else if (child.type === 'image') {
      const ref: MarkdownReference = { kind: 'image', url: String(child.attrGet('src') ?? ''), line, alt: inlineText(child) };
      references.push(ref);
      child.meta = { ...(child.meta ?? {}), ref };
      // An image's alt text can hold raw HTML and links of its own: clean those too.
      if (child.children) {
        const alt = new TokenClass('inline', '', 0);
        alt.children = child.children;
        cleanInline(alt, line, problems, []);
        child.children = alt.children;
      }
    }
    kept.push(child);
  }
  for (const t of open.reverse()) kept.push(tagToken(t, true));
  inline.children = kept;
}

function tagToken(tag: string, closing: boolean): Token {
  const t = new TokenClass('lk_tag', '', 0);
  t.meta = { tag, closing };
  return t;
}

function inlineText(inline: Token): string {
  let text = '';
  for (const c of inline.children ?? []) {
    if (c.type === 'text' || c.type === 'code_inline') text += c.content;
    else if (c.type === 'softbreak' || c.type === 'hardbreak') text += ' ';
    else if (c.type === 'image') text += inlineText(c);
  }
  return text.trim();
}

/** The HTML of a parsed document: the body and the title. */
export interface RenderedMarkdown {
  /** The document without its opening h1. */
  body: string;
  /** The opening h1's content as inline HTML, when the document has one. */
  titleHtml?: string;
}

/**
 * Renders a parsed document after its references were resolved. Links resolved to `null`
 * become their text; images resolved to `null` become their alt text.
 */
export function renderParsed(parsed: ParsedMarkdown): RenderedMarkdown {
  for (const token of parsed.tokens) {
    if (token.type === 'inline' && token.children) token.children = applyReferences(token.children);
  }
  const titleChildren = parsed.titleToken?.children ? applyReferences(parsed.titleToken.children) : undefined;
  // A paragraph that held only removed HTML leaves nothing behind, not an empty <p>.
  const tokens = parsed.tokens.filter((t, i, all) => {
    const isEmptyInline = (x: Token | undefined) => x?.type === 'inline' && (x.children ?? []).every((c) => (c.type === 'text' && c.content.trim() === '') || c.type === 'softbreak');
    if (t.type === 'paragraph_open' && !t.hidden) return !isEmptyInline(all[i + 1]);
    if (t.type === 'inline') return !(all[i - 1]?.type === 'paragraph_open' && !all[i - 1]?.hidden && isEmptyInline(t));
    if (t.type === 'paragraph_close' && !t.hidden) return !isEmptyInline(all[i - 1]);
    return true;
  });
  return {
    body: md.renderer.render(tokens, md.options, {}),
    ...(titleChildren ? { titleHtml: md.renderer.renderInline(titleChildren, md.options, {}) } : {}),
  };
}

function applyReferences(children: Token[]): Token[] {
  const out: Token[] = [];
  // Markdown links never nest (and linkify skips link text), so one flag pairs open and close.
  let droppingLink = false;
  // An autolink's text is its URL: when the link goes, so does the URL text.
  let droppingText = false;
  for (const child of children) {
    const ref = child.meta?.ref as MarkdownReference | undefined;
    if (droppingText && child.type !== 'link_close') continue;
    if (child.type === 'link_open' && ref) {
      if (ref.resolved == null) {
        droppingLink = true;
        if (child.markup === 'autolink' || child.markup === 'linkify') {
          droppingText = true;
          const note = new TokenClass('text', '', 0);
          note.content = '[link removed]';
          out.push(note);
        }
        continue;
      }
      child.attrs = [['href', ref.resolved]];
      if (ref.external) child.attrSet('rel', 'noopener noreferrer');
    } else if (child.type === 'link_close' && droppingLink) {
      droppingLink = false;
      droppingText = false;
      continue;
    } else if (child.type === 'image' && ref) {
      if (ref.resolved == null) {
        const alt = new TokenClass('text', '', 0);
        alt.content = inlineText(child);
        out.push(alt);
        continue;
      }
      const title = child.attrGet('title');
      const titleText = title == null ? '' : String(title);
      child.attrs = [['src', ref.resolved], ['alt', '']];
      if (titleText) child.attrSet('title', titleText);
      if (ref.size) {
        child.attrSet('width', String(ref.size.width));
        child.attrSet('height', String(ref.size.height));
      }
    }
    out.push(child);
  }
  return out;
}
