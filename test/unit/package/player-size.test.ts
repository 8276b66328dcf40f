import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PLAYER_DIST_DIR } from '../../../src/core/player-build/shared-files.js';

describe('the built player bundle', () => {
  it('is one JS and one CSS file, at most 30 KB gzipped together, with no URL to anywhere else', async () => {
    // `npm test` builds before it runs vitest; the bundle is what every package ships.
    const js = await readFile(path.join(PLAYER_DIST_DIR, 'player.js'), 'utf8');
    const css = await readFile(path.join(PLAYER_DIST_DIR, 'player.css'), 'utf8');
    const gz = gzipSync(js, { level: 9 }).length + gzipSync(css, { level: 9 }).length;
    expect(gz).toBeLessThanOrEqual(30 * 1024);
    // No fonts, images or scripts fetched from elsewhere.
    expect(css).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//);
    expect(js).not.toMatch(/https?:\/\/(?!www\.w3\.org|adlnet\.gov|w3id\.org|purl\.org)[a-z0-9.-]+\.[a-z]{2,}\/[^"'\s]*\.(js|css|woff2?|ttf)/i);
  });
});
