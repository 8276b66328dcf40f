/**
 * `completion.requireWorkbook: true` in a built SCORM 2004 package, in Chromium with
 * scorm-again: watching every video is not enough while the lesson's workbook is unopened;
 * opening it from the player completes the course, and the workbook page it opens is the
 * rendered, printable one.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COURSE_YAML } from '../helpers/media-course.js';
import { launchChromium } from './xapi-harness.js';
import { lmsValue, speedUp, startTestLms, type PageGlobals, type TestLms } from './scorm-lms.js';

let browser: Browser;
let lms: TestLms;
beforeAll(async () => {
  [browser, lms] = await Promise.all([
    launchChromium(),
    startTestLms(['scorm2004-4th'], { yaml: DEFAULT_COURSE_YAML.replace('  watchedPercent: 90\n', '  watchedPercent: 90\n  requireWorkbook: true\n') }),
  ]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await lms?.cleanup();
});

describe('completion.requireWorkbook', () => {
  it('keeps the course incomplete after every video until the workbook is opened, then records completed', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 950 } });
    const frame = await lms.launch(page, 'scorm2004', 'scorm2004-4th');
    await speedUp(frame);
    await frame.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('video')?.play());
    // Auto-advance plays all three segments; the player then sits at the end of the last one.
    await frame.waitForFunction(() => (globalThis as unknown as PageGlobals).lessonkit.player.state().segments.every((s) => s === true), undefined, { timeout: 30000 });
    await frame.waitForTimeout(300);
    expect(await lmsValue(page, 'cmi.completion_status')).toBe('incomplete');
    const progress = Number(await lmsValue(page, 'cmi.progress_measure'));
    expect(progress).toBeGreaterThan(0.7);
    expect(progress).toBeLessThan(1);

    // Back to the first lesson, open its workbook from the materials list.
    await frame.click('[data-lesson="0"] button');
    const [workbook] = await Promise.all([page.context().waitForEvent('page'), frame.click('.lk-materials a:has-text("Workbook")')]);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).lms.api.getCMIValue('cmi.completion_status') === 'completed', undefined, { timeout: 10000 });
    expect(await lmsValue(page, 'cmi.progress_measure')).toBe('1');
    await workbook.waitForLoadState();
    expect(new URL(workbook.url()).pathname).toMatch(/\/materials\/workbooks\/intro\.html$/);
    expect(await workbook.locator('h1').textContent()).toBe('Workbook');
    await workbook.close();
    await page.close();
  });
});
