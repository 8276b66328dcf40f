// Benchmark of `lessonkit validate` on a 1 GiB package (not part of `npm test`).
//
//   npm run build && node bench/validate.mjs [--runs 5] [--size-mib 1024] [--keep]
//
// Generates a SCORM 2004 4th Edition package in the OS temp folder: the official schema
// files, a player page, and 16 real H.264/AAC MP4 files (a short ffmpeg clip each, padded
// with a `free` box of random bytes to 64 MiB so the zip holds 1 GiB of incompressible media),
// stored, with zip64 records. Then, alternating runs so both see the same page cache:
//   A  lessonkit validate pkg.zip          (target: median under 1 s)
//   B  lessonkit validate pkg.zip --deep   (target: median at most 1.5x C)
//   C  unzip -tq pkg.zip                   (the baseline, measured in the same run)
//   V  lessonkit --version: node start-up plus loading the CLI, the floor under A
//   E  the engine alone: a fresh node process times its own import of the validate module
//      plus validatePackage() (what `lessonkit build` pays; the CLI adds node start-up and
//      loading every command's modules, which dominates on a busy machine)
// Prints every run, the medians and the ratio B/C. Needs `unzip` (apt-get install unzip).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RUNS = opt('runs', 5);
const SIZE_MIB = opt('size-mib', 1024);
const KEEP = args.includes('--keep');
const VIDEOS = 16;
const bin = path.join(root, 'bin/lessonkit.js');
if (!existsSync(path.join(root, 'dist/core/validate/validate.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(2);
}
if (spawnSync('unzip', ['-v']).error) {
  console.error('unzip is not installed (apt-get install unzip); it is the baseline.');
  process.exit(2);
}
const { schemaFilesToShip } = await import(path.join(root, 'dist/core/validate/xsd.js'));
const { locateMediaTools } = await import(path.join(root, 'dist/core/media/locate.js'));

const work = path.join(tmpdir(), 'lessonkit-bench-validate');
const zipPath = path.join(work, `package-${SIZE_MIB}m.zip`);

/** A real clip; moov first (faststart) so the padding can follow as a top-level free box. */
async function makeClip() {
  const { ffmpeg } = await locateMediaTools({ env: process.env });
  const out = path.join(work, 'clip.mp4');
  await promisify(execFile)(ffmpeg.path, [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=15:duration=4', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', '-shortest', out,
  ]);
  return readFile(out);
}

const u16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };

/** Writes a stored zip64 archive; entries are { name, size, write(sink) } with sink(chunk). */
async function writeZip(file, entries) {
  const fh = await open(file, 'w');
  let offset = 0;
  const central = [];
  const write = async (buf) => { await fh.write(buf, 0, buf.length, offset); offset += buf.length; };
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const headerAt = offset;
    const header = (crc, size) => Buffer.concat([
      u32(0x04034b50), u16(45), u16(0x800), u16(0), u16(0), u16(0x21), u32(crc), u32(0xffffffff), u32(0xffffffff), u16(name.length), u16(20), name,
      u16(0x0001), u16(16), u64(size), u64(size),
    ]);
    await write(header(0, 0));
    let crc = 0;
    let size = 0;
    await e.write(async (chunk) => { crc = zlib.crc32(chunk, crc); size += chunk.length; await write(chunk); });
    await fh.write(header(crc, size), 0, 30 + name.length + 20, headerAt);
    const extra = Buffer.concat([u16(0x0001), u16(24), u64(size), u64(size), u64(headerAt)]);
    central.push(Buffer.concat([
      u32(0x02014b50), u16(0x031e), u16(45), u16(0x800), u16(0), u16(0), u16(0x21), u32(crc), u32(0xffffffff), u32(0xffffffff),
      u16(name.length), u16(extra.length), u16(0), u16(0), u16(0), u32((0o100644 << 16) >>> 0), u32(0xffffffff), name, extra,
    ]));
  }
  const cd = Buffer.concat(central);
  const cdOffset = offset;
  await write(cd);
  const rec = offset;
  await write(Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(entries.length), u64(entries.length), u64(cd.length), u64(cdOffset)]));
  await write(Buffer.concat([u32(0x07064b50), u32(0), u64(rec), u32(1)]));
  await write(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(0xffff), u16(0xffff), u32(0xffffffff), u32(0xffffffff), u16(0)]));
  await fh.close();
}

async function generate() {
  await mkdir(work, { recursive: true });
  const clip = await makeClip();
  const perVideo = Math.floor((SIZE_MIB * 1024 * 1024) / VIDEOS);
  const padding = perVideo - clip.length - 8;
  const items = [];
  for (let i = 1; i <= VIDEOS; i++) items.push({ id: `v${i}`, file: `media/lesson-${String(i).padStart(2, '0')}.mp4` });
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench.course" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Bench</title>
${items.map((it) => `    <item identifier="item_${it.id}" identifierref="res_${it.id}"><title>${it.id}</title></item>`).join('\n')}
  </organization></organizations>
  <resources>
${items.map((it) => `    <resource identifier="res_${it.id}" type="webcontent" adlcp:scormType="sco" href="index.html?v=${it.id}"><file href="index.html"/><file href="${it.file}"/></resource>`).join('\n')}
  </resources>
</manifest>
`;
  const entries = [
    { name: 'imsmanifest.xml', write: async (sink) => sink(Buffer.from(manifest)) },
    { name: 'index.html', write: async (sink) => sink(Buffer.from('<!doctype html><title>bench</title>')) },
    ...schemaFilesToShip('scorm2004-4th').map((f) => ({ name: f.to, write: async (sink) => sink(await readFile(f.from)) })),
    ...items.map((it) => ({
      name: it.file,
      write: async (sink) => {
        await sink(clip);
        const head = Buffer.alloc(8);
        head.writeUInt32BE(padding + 8);
        head.write('free', 4, 'latin1');
        await sink(head);
        // Random bytes: incompressible, like real media.
        const block = randomBytes(4 * 1024 * 1024);
        for (let left = padding; left > 0; left -= block.length) await sink(left >= block.length ? block : block.subarray(0, left));
      },
    })),
  ];
  await writeZip(zipPath, entries);
}

function time(cmd, argv) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  return { ms, code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

if (!existsSync(zipPath)) {
  console.log(`generating ${zipPath} ...`);
  const t = Date.now();
  await generate();
  console.log(`generated in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
const size = (await open(zipPath, 'r').then(async (fh) => { const s = await fh.stat(); await fh.close(); return s.size; }));
console.log(`package: ${zipPath} (${(size / 1024 ** 3).toFixed(2)} GiB), ${RUNS} runs each, alternating\n`);

// Warm-up: one of each, so every run reads from the page cache.
const first = time(process.execPath, [bin, 'validate', zipPath, '--deep', '--reporter', 'json']);
const report = JSON.parse(first.stdout);
console.log(`warm-up --deep: exit ${first.code}, findings: ${JSON.stringify(report.packages[0].findings.map((f) => f.ruleId))}`);
time('unzip', ['-tq', zipPath]);

const ENGINE = `const t = performance.now(); const { validatePackage } = await import(${JSON.stringify(path.join(root, 'dist/core/validate/validate.js'))});
const r = await validatePackage({ path: ${JSON.stringify(zipPath)}, cwd: '/' }, { logger: { info() {}, warn() {}, verbose() {}, debug() {} } });
process.stdout.write(JSON.stringify({ ms: performance.now() - t, findings: r.findings.length }));`;
const a = [];
const b = [];
const c = [];
const e = [];
const v = [];
for (let i = 0; i < RUNS; i++) {
  const ra = time(process.execPath, [bin, 'validate', zipPath]);
  const rb = time(process.execPath, [bin, 'validate', zipPath, '--deep']);
  const rc = time('unzip', ['-tq', zipPath]);
  if (ra.code !== 0 || rb.code !== 0 || rc.code !== 0) {
    console.error('a run failed', ra.code, rb.code, rc.code, ra.stdout, rb.stdout, rc.stdout, rc.stderr);
    process.exit(1);
  }
  const rv = time(process.execPath, [bin, '--version']);
  v.push(rv.ms);
  const re = time(process.execPath, ['--input-type=module', '-e', ENGINE]);
  const engine = JSON.parse(re.stdout);
  if (engine.findings !== 0) throw new Error('the engine reported findings');
  e.push(engine.ms);
  a.push(ra.ms);
  b.push(rb.ms);
  c.push(rc.ms);
  console.log(`run ${i + 1}: validate ${ra.ms.toFixed(0)} ms | validate --deep ${rb.ms.toFixed(0)} ms | unzip -tq ${rc.ms.toFixed(0)} ms | engine ${engine.ms.toFixed(0)} ms | --version ${rv.ms.toFixed(0)} ms`);
}
const ma = median(a);
const mb = median(b);
const mc = median(c);
console.log(`\nmedian validate        ${ma.toFixed(0)} ms  (target < 1000 ms: ${ma < 1000 ? 'met' : 'NOT met'})`);
console.log(`median --version        ${median(v).toFixed(0)} ms  (node + CLI start-up: validate minus this = ${(ma - median(v)).toFixed(0)} ms)`);
console.log(`median engine alone    ${median(e).toFixed(0)} ms  (import + validatePackage in a fresh process)`);
console.log(`median validate --deep ${mb.toFixed(0)} ms`);
console.log(`median unzip -tq       ${mc.toFixed(0)} ms`);
console.log(`ratio --deep / unzip   ${(mb / mc).toFixed(2)}x  (target <= 1.5x: ${mb / mc <= 1.5 ? 'met' : 'NOT met'})`);
console.log(`load average at the end: ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim()}`);
if (!KEEP) await rm(work, { recursive: true, force: true });
