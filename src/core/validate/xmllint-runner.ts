/**
 * Runs xmllint (xmllint-wasm's libxml2 build) in one long-lived worker thread that compiles
 * the WebAssembly module once. xmllint-wasm's own `validateXML` starts a new worker and
 * recompiles the 780 kB module on every call, which costs more than the validation itself;
 * `lessonkit build` and multi-package runs validate many descriptors per process. The worker is
 * ref'd only while a run is pending and unref'd while idle, so it never keeps the process alive
 * once the work is done, whatever path the validation took. If the worker cannot start (a
 * changed xmllint-wasm build, say), every call falls back to `validateXML`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { XMLFileInfo } from 'xmllint-wasm';

/** What one xmllint run produced. */
export interface XmllintRun {
  /** xmllint's exit code: 0 valid, 1 not well-formed, 3/4 invalid, 5 schema did not compile. */
  exitCode: number;
  /** Everything xmllint wrote to stderr. */
  stderr: string;
}

const require = createRequire(import.meta.url);

/** The worker: loads the Emscripten factory, compiles the wasm once, runs one xmllint per message. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
// Loading the factory also attaches xmllint-wasm's own listener, which ignores messages
// without its tag; ours carry a different tag.
const factory = require(workerData.factoryPath);
const wasmModule = new WebAssembly.Module(fs.readFileSync(workerData.wasmPath));
parentPort.on('message', (job) => {
  if (!job || job.lessonkitXmllint !== true) return;
  let stderr = '';
  let done = false;
  const finish = (exitCode) => {
    if (done) return;
    done = true;
    parentPort.postMessage({ lessonkitXmllint: true, id: job.id, exitCode, stderr });
  };
  try {
    const p = factory({
      inputFiles: job.inputFiles,
      arguments: job.args,
      print() {},
      printErr(text) { stderr += text + '\\n'; },
      onExit: finish,
      onAbort(reason) { stderr += 'WASM abort: ' + reason + '\\n'; finish(-1); },
      wasmMemory: new WebAssembly.Memory({ initial: 256, maximum: job.maxPages }),
      instantiateWasm(imports, receive) {
        WebAssembly.instantiate(wasmModule, imports).then((instance) => receive(instance, wasmModule), (err) => { stderr += String(err) + '\\n'; finish(-1); });
        return {};
      },
    });
    if (p && typeof p.catch === 'function') p.catch((err) => { if (!done) { stderr += String(err) + '\\n'; finish(-1); } });
  } catch (err) {
    stderr += String(err) + '\\n';
    finish(-1);
  }
});
`;

interface Pending {
  resolve: (r: XmllintRun) => void;
  reject: (e: unknown) => void;
}

let worker: Worker | undefined;
let broken = false;
let nextId = 1;
const pending = new Map<number, Pending>();

function getWorker(): Worker | undefined {
  if (broken) return undefined;
  if (worker) return worker;
  try {
    const factoryPath = require.resolve('xmllint-wasm/xmllint-node.js');
    const wasmPath = path.join(path.dirname(factoryPath), 'xmllint.wasm');
    readFileSync(wasmPath, { flag: 'r' }).subarray(0, 4); // fail early (to the fallback) if the layout changed
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { factoryPath, wasmPath } });
    w.on('message', (m: { lessonkitXmllint?: boolean; id?: number; exitCode: number; stderr: string }) => {
      if (!m || m.lessonkitXmllint !== true || m.id === undefined) return;
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (pending.size === 0) w.unref();
      p.resolve({ exitCode: m.exitCode, stderr: m.stderr });
    });
    const fail = (err: unknown) => {
      broken = true;
      worker = undefined;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(err);
      }
    };
    w.on('error', fail);
    w.on('exit', (code) => {
      if (pending.size > 0) fail(new Error(`the xmllint worker stopped (exit ${code})`));
      worker = undefined;
    });
    // Unref only after every listener is attached: on Node 20, adding a 'message' listener
    // re-refs the worker's MessagePort, so an unref before it is undone and an idle worker
    // (prewarmed, then never used because the descriptor was rejected early) kept the
    // process alive for ever.
    w.unref();
    worker = w;
    return w;
  } catch {
    broken = true;
    return undefined;
  }
}

/** Starts the worker (and its wasm compile) ahead of the first run, so it overlaps other work. */
export function prewarmXmllint(): void {
  getWorker();
}

/** Runs xmllint with these in-memory files and arguments. */
export async function runXmllint(inputFiles: XMLFileInfo[], args: string[], maxPages = 4096): Promise<XmllintRun> {
  const w = getWorker();
  if (w) {
    try {
      return await new Promise<XmllintRun>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        w.ref();
        w.postMessage({ lessonkitXmllint: true, id, inputFiles, args, maxPages });
      });
    } catch {
      // The worker died; the fallback below answers this call and every later one.
    }
  }
  return runXmllintFallback(inputFiles, args, maxPages);
}

/** The library's own path (a fresh worker per call); exported for tests. Input order: document, schema, preloads. */
export async function runXmllintFallback(inputFiles: XMLFileInfo[], args: string[], maxPages: number): Promise<XmllintRun> {
  const [xml, schema, ...preload] = inputFiles;
  try {
    // Loaded only here: the worker path never needs the library's main-thread glue.
    const { validateXML } = await import('xmllint-wasm');
    const r = await validateXML({ xml: xml!, schema: [schema!], preload, maxMemoryPages: maxPages, modifyArguments: () => args });
    return { exitCode: r.valid ? 0 : 3, stderr: r.rawOutput };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { exitCode: typeof code === 'number' ? code : -1, stderr: err instanceof Error ? err.message : String(err) };
  }
}
