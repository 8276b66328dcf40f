/** The ffmpeg runner with stand-in executables: progress parsing, errors, crashes and cancellation. */
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFfmpeg, type FfmpegProgress } from '../../../src/core/media/ffmpeg.js';
import { makeTempDir } from '../../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await makeTempDir('lessonkit-runner-')));
afterEach(async () => cleanup());

async function tool(name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

describe('runFfmpeg', () => {
  it('reports -progress blocks as they arrive', async () => {
    const bin = await tool('ffmpeg', "printf 'out_time_us=1000000\\nspeed=2.5x\\nprogress=continue\\n'; sleep 0.2; printf 'out_time_us=2000000\\nspeed=3x\\nprogress=end\\n'");
    const seen: FfmpegProgress[] = [];
    await runFfmpeg(bin, [], { onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([{ outTime: 1, speed: 2.5 }, { outTime: 2, speed: 3 }]);
  });
  it('fails with the end of stderr, naming the tool and the step', async () => {
    const bin = await tool('ffmpeg', "echo 'frame=  10 fps=0.0' >&2; echo '[h264 @ 0x1234] no frame!' >&2; echo 'Conversion failed!' >&2; exit 1");
    await expect(runFfmpeg(bin, [], { what: 'trim of talk.mp4' })).rejects.toMatchObject({ code: 'E_FFMPEG_FAILED', message: 'ffmpeg failed during trim of talk.mp4: no frame! | Conversion failed!' });
  });
  it('calls a crash a crash', async () => {
    const bin = await tool('ffprobe', 'kill -SEGV $$');
    await expect(runFfmpeg(bin, [])).rejects.toMatchObject({ code: 'E_FFMPEG_FAILED', message: 'ffprobe crashed with SIGSEGV.' });
  });
  it('kills the process on cancel and throws CancelledError', async () => {
    const bin = await tool('ffmpeg', 'exec sleep 30');
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    await expect(runFfmpeg(bin, [], { signal: controller.signal })).rejects.toMatchObject({ name: 'CancelledError' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
