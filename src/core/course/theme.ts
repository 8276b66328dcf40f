/**
 * The brand theme of course.yaml (`theme:`): colour arithmetic for the contrast check (WCAG 2.2
 * relative luminance and contrast ratio), a nearby colour that passes when the author's does
 * not, and the logo's pixel size read from its header (so the player reserves its space and
 * never shifts the page when it loads). Pure, no DOM.
 */

/** The contrast WCAG 2.2 AA asks of normal text (SC 1.4.3). */
export const MIN_CONTRAST = 4.5;

/** The player's page background and the text it writes on the accent (buttons). */
export const THEME_BACKGROUND = '#ffffff';
/** Text on accent-coloured buttons. */
export const THEME_ACCENT_TEXT = '#ffffff';

/** Logo formats a browser shows in `<img>` without running anything (SVG can carry scripts). */
export const LOGO_TYPES = ['.png', '.jpg', '.jpeg', '.gif', '.webp'] as const;
/** Font files the player can load with `@font-face`. */
export const FONT_TYPES = ['.woff2', '.woff', '.ttf', '.otf'] as const;

/** Parses `#rgb` or `#rrggbb` into 0-255 channels; undefined for anything else. */
export function parseHexColor(text: string): [number, number, number] | undefined {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text.trim());
  if (!m?.[1]) return undefined;
  const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** `#rrggbb` (lowercase) for channels. */
export function toHexColor(rgb: readonly [number, number, number]): string {
  return `#${rgb.map((c) => Math.max(0, Math.min(255, Math.round(c))).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG relative luminance of an sRGB colour. */
export function relativeLuminance(rgb: readonly [number, number, number]): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours (1 to 21). */
export function contrastRatio(a: readonly [number, number, number], b: readonly [number, number, number]): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The two pairs the player paints with the accent: button text on it, and links and borders in it on the page. */
export function accentContrasts(accent: readonly [number, number, number]): { textOnAccent: number; accentOnBackground: number } {
  return {
    textOnAccent: contrastRatio(parseHexColor(THEME_ACCENT_TEXT) ?? [255, 255, 255], accent),
    accentOnBackground: contrastRatio(accent, parseHexColor(THEME_BACKGROUND) ?? [255, 255, 255]),
  };
}

/** True when both pairs reach {@link MIN_CONTRAST}. */
export function accentPasses(accent: readonly [number, number, number]): boolean {
  const c = accentContrasts(accent);
  return c.textOnAccent >= MIN_CONTRAST && c.accentOnBackground >= MIN_CONTRAST;
}

/**
 * The nearest colour of the same hue that passes: the accent darkened step by step (white text
 * and a white page both need a darker accent), so the brand stays recognisable.
 */
export function suggestAccent(accent: readonly [number, number, number]): string {
  for (let k = 1; k >= 0; k -= 0.01) {
    const c: [number, number, number] = [accent[0] * k, accent[1] * k, accent[2] * k];
    const rounded = parseHexColor(toHexColor(c));
    if (rounded && accentPasses(rounded)) return toHexColor(rounded);
  }
  return '#000000';
}

/**
 * Width and height of a PNG, GIF, WebP or JPEG from its first bytes; undefined when the bytes are
 * not such an image. Reads headers only: no image library, no decoding.
 */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && b.toString('latin1', 0, 4) === 'GIF8') return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const kind = b.toString('latin1', 12, 16);
    if (kind === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    if (kind === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
    if (kind === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    return undefined;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // Walk the JPEG markers to the first start-of-frame (SOF0-SOF15 but DHT, JPG and DAC).
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1] ?? 0;
      if (marker === 0xff) {
        i += 1;
        continue;
      }
      const len = b.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
      i += 2 + len;
    }
  }
  return undefined;
}
