/**
 * A static file server for a package folder on 127.0.0.1: what the preview and the browser
 * tests open launch pages from. GET/HEAD only, byte ranges (browsers seek video with them),
 * nothing outside the folder (no `..`, no encoded or double-encoded traversal, no absolute
 * paths, no backslashes, no symbolic links leading out), no directory listings.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isInside } from '../../utils/fs.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.xsd': 'application/xml',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.vtt': 'text/vtt; charset=utf-8',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.pdf': 'application/pdf',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The MIME type a file is served with. */
export function mimeType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** How a request path resolved: a package-relative file, or why it is refused. */
export type RequestPathResolution = { ok: true; rel: string } | { ok: false; status: 400 | 403; reason: string };

/**
 * Turns the path of a request URL (still percent-encoded, as sent) into a package-relative
 * file path, refusing anything that could reach outside the package. Decoding happens once;
 * an encoded dot, slash, backslash or NUL left after it (double encoding such as `%252e`) is
 * refused rather than guessed at, because some servers and proxies decode twice.
 */
export function resolveRequestPath(rawPath: string): RequestPathResolution {
  const bare = rawPath.replace(/[?#].*$/s, '');
  if (!bare.startsWith('/') || bare.startsWith('//')) return { ok: false, status: 400, reason: 'absolute or protocol-relative path' };
  if (bare.includes('\\') || /%5c/i.test(bare)) return { ok: false, status: 400, reason: 'backslash in path' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(bare);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-escape' };
  }
  if (decoded.includes('\0')) return { ok: false, status: 400, reason: 'NUL in path' };
  if (/%(2e|2f|5c|00)/i.test(decoded)) return { ok: false, status: 400, reason: 'double-encoded path' };
  if (decoded.includes('\\')) return { ok: false, status: 400, reason: 'backslash in path' };
  const segments = decoded.slice(1).split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 403, reason: 'dot segment in path' };
  if (/^[A-Za-z]:/.test(segments[0] ?? '') || decoded.slice(1).startsWith('/')) return { ok: false, status: 400, reason: 'absolute path' };
  const rel = segments.filter((s) => s !== '').join('/');
  return { ok: true, rel: decoded.endsWith('/') || rel === '' ? (rel ? `${rel}/index.html` : 'index.html') : rel };
}

/**
 * Answers a GET/HEAD for `rawPath` (the encoded URL path below the package mount) with the
 * file from `root`, honouring a byte range. The real path of the file must stay inside the
 * real path of the root, so a symbolic link inside the package cannot lead out of it.
 */
export async function sendPackageFile(root: string, rawPath: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const resolved = resolveRequestPath(rawPath);
  if (!resolved.ok) {
    res.writeHead(resolved.status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Refused: ${resolved.reason}`);
    return;
  }
  const realRoot = await realpath(root).catch(() => path.resolve(root));
  const file = path.join(realRoot, ...resolved.rel.split('/'));
  const real = await realpath(file).catch(() => undefined);
  if (real && !isInside(realRoot, real)) {
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Refused: outside the package');
    return;
  }
  const info = real ? await stat(real).catch(() => undefined) : undefined;
  if (!real || !info?.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  const headers: Record<string, string> = { 'Content-Type': mimeType(real), 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
  let start = 0;
  let end = info.size - 1;
  let status = 200;
  if (range && (range[1] || range[2])) {
    if (range[1]) {
      start = Number(range[1]);
      if (range[2]) end = Math.min(end, Number(range[2]));
    } else {
      start = Math.max(0, info.size - Number(range[2]));
    }
    if (start > end || start >= info.size) {
      res.writeHead(416, { 'Content-Range': `bytes */${info.size}` }).end();
      return;
    }
    status = 206;
    headers['Content-Range'] = `bytes ${start}-${end}/${info.size}`;
  }
  headers['Content-Length'] = String(info.size === 0 ? 0 : end - start + 1);
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || info.size === 0) {
    res.end();
    return;
  }
  createReadStream(real, { start, end })
    .on('error', () => res.destroy())
    .pipe(res);
}

/** A running static server. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>/`. */
  url: string;
  /** Stops it (open connections are dropped). */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 only (port 0 = any free port) and returns the bound port. */
export async function listenLoopback(server: http.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Closes a server and drops its open connections (long-lived event streams included). */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Serves `dir` on 127.0.0.1 (port 0 = any free port). */
export async function serveStatic(dir: string, port = 0): Promise<StaticServer> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    sendPackageFile(root, rawRequestPath(req.url), req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  const bound = await listenLoopback(server, port);
  return { url: `http://127.0.0.1:${bound}/`, close: () => closeServer(server) };
}

/** The path part of a request target as sent (still encoded); an absolute-form target (`http://host/x`) keeps its scheme so it is refused. */
export function rawRequestPath(url: string | undefined): string {
  const u = url ?? '/';
  return u.replace(/[?#].*$/s, '');
}
