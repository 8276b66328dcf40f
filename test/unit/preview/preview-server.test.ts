/**
 * The preview's package server: only files inside the package, whatever the request path
 * says; byte ranges for seeking; 127.0.0.1 only. Requests are sent raw (node:http), because
 * fetch and browsers normalise `..` away before sending and an attacker's client does not.
 */
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentContext } from '../../../src/core/context.js';
import { startPreview, type PreviewServer } from '../../../src/core/preview/preview.js';
import { resolveRequestPath } from '../../../src/core/preview/static-server.js';
import { makeTempDir } from '../../helpers/cli.js';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-PACKAGE';
const MANIFEST = `<?xml version="1.0"?>
<manifest identifier="m" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <organizations default="o"><organization identifier="o"><title>Org</title>
    <item identifier="i1" identifierref="r1"><title>One</title></item>
  </organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html"><file href="index.html"/></resource></resources>
</manifest>`;

function rawGet(port: number, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('preview package server', () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let preview: PreviewServer;
  let port = 0;
  const video = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));

  beforeAll(async () => {
    tmp = await makeTempDir('lessonkit-preview-server-');
    const pkg = path.join(tmp.dir, 'work', 'pkg');
    await mkdir(path.join(pkg, 'sub'), { recursive: true });
    await writeFile(path.join(tmp.dir, 'work', 'secret.txt'), SECRET);
    await writeFile(path.join(tmp.dir, 'secret.txt'), SECRET);
    await writeFile(path.join(pkg, 'imsmanifest.xml'), MANIFEST);
    await writeFile(path.join(pkg, 'index.html'), '<!doctype html><title>x</title><p>inside</p>');
    await writeFile(path.join(pkg, 'sub', 'clip.mp4'), video);
    await writeFile(path.join(pkg, 'sub', 'notes.vtt'), 'WEBVTT\n');
    await symlink(path.join(tmp.dir, 'secret.txt'), path.join(pkg, 'link.txt'));
    await symlink(path.join(tmp.dir, 'work'), path.join(pkg, 'up'));
    preview = await startPreview({ cwd: tmp.dir, input: pkg, env: {} }, createSilentContext());
    port = Number(new URL(preview.url).port);
  });
  afterAll(async () => {
    await preview?.close();
    await tmp?.cleanup();
  });

  it('serves the package files with their MIME types, and no directory listings', async () => {
    const page = await rawGet(port, '/pkg/scorm12/index.html');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await rawGet(port, '/pkg/scorm12/sub/clip.mp4')).headers['content-type']).toBe('video/mp4');
    expect((await rawGet(port, '/pkg/scorm12/sub/notes.vtt')).headers['content-type']).toBe('text/vtt; charset=utf-8');
    expect((await rawGet(port, '/pkg/scorm12/imsmanifest.xml')).headers['content-type']).toBe('application/xml');
    const listing = await rawGet(port, '/pkg/scorm12/sub/');
    expect(listing.status).toBe(404);
    expect(listing.body.toString()).not.toContain('clip.mp4');
  });

  it.each([
    ['/pkg/scorm12/../secret.txt'],
    ['/pkg/scorm12/../../secret.txt'],
    ['/pkg/scorm12/sub/../../secret.txt'],
    ['/pkg/scorm12/%2e%2e/secret.txt'],
    ['/pkg/scorm12/%2E%2E/%2e%2e/secret.txt'],
    ['/pkg/scorm12/%2e%2e%2fsecret.txt'],
    ['/pkg/scorm12/%252e%252e/secret.txt'],
    ['/pkg/scorm12/%252e%252e%252fsecret.txt'],
    ['/pkg/scorm12//etc/passwd'],
    ['/pkg/scorm12/' + encodeURIComponent(path.join(os.tmpdir(), 'secret.txt'))],
    ['//etc/passwd'],
    ['/pkg/scorm12/C:/Windows/win.ini'],
    ['/pkg/scorm12/..\\secret.txt'],
    ['/pkg/scorm12/sub\\..\\..\\secret.txt'],
    ['/pkg/scorm12/..%5csecret.txt'],
    ['/pkg/scorm12/link.txt'],
    ['/pkg/scorm12/up/secret.txt'],
    ['http://127.0.0.1/etc/passwd'],
  ])('refuses %s', async (raw) => {
    const res = await rawGet(port, raw);
    expect([400, 403, 404]).toContain(res.status);
    expect(res.body.toString()).not.toContain(SECRET);
  });

  it('names the reason for each kind of traversal', () => {
    expect(resolveRequestPath('/a/../b')).toMatchObject({ ok: false, status: 403 });
    expect(resolveRequestPath('/%2e%2e/b')).toMatchObject({ ok: false, status: 403 });
    expect(resolveRequestPath('/%252e%252e/b')).toMatchObject({ ok: false, reason: 'double-encoded path' });
    expect(resolveRequestPath('//etc/passwd')).toMatchObject({ ok: false, status: 400 });
    expect(resolveRequestPath('/a\\b')).toMatchObject({ ok: false, reason: 'backslash in path' });
    expect(resolveRequestPath('/100%25.png')).toEqual({ ok: true, rel: '100%.png' });
    expect(resolveRequestPath('/a%20b/c.html?x=1')).toEqual({ ok: true, rel: 'a b/c.html' });
  });

  it('answers byte ranges, so a video can be seeked', async () => {
    const mid = await rawGet(port, '/pkg/scorm12/sub/clip.mp4', { Range: 'bytes=1000-1999' });
    expect(mid.status).toBe(206);
    expect(mid.headers['content-range']).toBe(`bytes 1000-1999/${video.length}`);
    expect(mid.headers['accept-ranges']).toBe('bytes');
    expect(mid.body.equals(video.subarray(1000, 2000))).toBe(true);
    const tail = await rawGet(port, '/pkg/scorm12/sub/clip.mp4', { Range: 'bytes=-100' });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(video.subarray(video.length - 100))).toBe(true);
    const open = await rawGet(port, '/pkg/scorm12/sub/clip.mp4', { Range: 'bytes=4990-' });
    expect(open.body.equals(video.subarray(4990))).toBe(true);
    expect((await rawGet(port, '/pkg/scorm12/sub/clip.mp4', { Range: 'bytes=9000-9999' })).status).toBe(416);
  });

  it('refuses another Host (DNS rebinding) and cross-origin API calls', async () => {
    expect((await rawGet(port, '/pkg/scorm12/index.html', { Host: 'evil.example:80' })).status).toBe(421);
    const res = await fetch(`${preview.url}__lk/api/reset`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example' }, body: '{}' });
    expect(res.status).toBe(403);
  });

  it('listens on 127.0.0.1 only: the panel server and the LRS', async () => {
    const lrsPort = preview.lrs.port;
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    expect(await canConnect('127.0.0.1', lrsPort)).toBe(true);
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((a): a is os.NetworkInterfaceInfo => Boolean(a) && !a!.internal)
      .map((a) => a.address);
    for (const addr of [...others, '::1']) {
      expect(await canConnect(addr, port), `${addr}:${port}`).toBe(false);
      expect(await canConnect(addr, lrsPort), `${addr}:${lrsPort}`).toBe(false);
    }
  });

  it('serves a package folder in place without writing into it', async () => {
    expect((await readdir(path.join(tmp.dir, 'work', 'pkg'))).sort()).toEqual(['imsmanifest.xml', 'index.html', 'link.txt', 'sub', 'up']);
  });
});
