/** The ffmpeg runner with stand-in executables: progress parsing, errors, crashes and cancellation. */
import { chmod, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFfmpeg, type FfmpegProgress } from '../../../src/core/media/ffmpeg.js';
import type { UserError } from '../../../src/errors.js';
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

describe('runFfmpeg: a full disk is the disk, not the recording', () => {
  it('turns "No space left on device" into a disk-full UserError naming the output', async () => {
    const out = path.join(dir, 'out', 'talk.mp4');
    const bin = await tool('ffmpeg', `echo '[mp4 @ 0x55d0] Error writing trailer of ${out}: No space left on device' >&2; echo 'Conversion failed!' >&2; exit 1`);
    const err = await runFfmpeg(bin, [], { what: 'cut of talk.mp4' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_DISK_FULL', exitCode: 2, message: `Cannot write ${out}: the disk is full.` });
    expect((err as UserError).hint).toContain(`Free space on the disk that holds ${path.dirname(out)}`);
    expect((err as UserError).hint).not.toMatch(/probe/);
  });
  it('keeps a missing input a media failure, and a refused output folder a write error', async () => {
    const missing = await tool('ffmpeg', `echo '/elsewhere/talk.mp4: No such file or directory' >&2; exit 1`);
    await expect(runFfmpeg(missing, [], { output: path.join(dir, 'x.mp4') })).rejects.toMatchObject({ code: 'E_FFMPEG_FAILED' });
    const refused = await tool('ffmpeg', `echo '${dir}/.x.mp4.123.tmp.mp4: Permission denied' >&2; exit 1`);
    await expect(runFfmpeg(refused, [], { output: path.join(dir, 'x.mp4') })).rejects.toMatchObject({ code: 'E_WRITE', message: `Cannot write ${path.join(dir, 'x.mp4')}: permission denied in ${dir}.` });
  });
  it('calls SIGXFSZ (past the file-size limit) a file too large, not a crash', async () => {
    const bin = await tool('ffmpeg', 'kill -XFSZ $$');
    await expect(runFfmpeg(bin, [], { output: path.join(dir, 'big.mp4') })).rejects.toMatchObject({ code: 'E_WRITE', message: expect.stringMatching(/big\.mp4: the file is larger than/) });
  });
  it.skipIf(process.platform !== 'linux')('recognises a real ffmpeg writing to a full disk (/dev/full)', async () => {
    const ffmpeg = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=10:duration=1', '-c:v', 'mpeg4', '-f', 'mp4', '/dev/full'];
    await expect(runFfmpeg(ffmpeg, args, { output: '/dev/full' })).rejects.toMatchObject({ code: 'E_DISK_FULL', message: 'Cannot write /dev/full: the disk is full.' });
  });
});
