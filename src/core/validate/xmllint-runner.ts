/**
 * Runs xmllint (xmllint-wasm's libxml2 build) in this thread, with the WebAssembly module
 * compiled once per process. xmllint-wasm's own `validateXML` starts a worker thread and
 * recompiles the 780 kB module on every call; a worker alone costs about 40 ms of CPU to start,
 * as much as the validation of a manifest, and `lessonkit validate` of one small package is
 * mostly start-up. So the library's Emscripten glue is evaluated here, in a scope that gives it
 * only what it needs (fs, path, crypto, and a stand-in `process` so that its exit handler
 * cannot set this process's exit code), and each run gets a fresh instance of the one compiled
 * module. If that ever fails (a changed xmllint-wasm build, say), every call falls back to
 * `validateXML`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { XMLFileInfo } from 'xmllint-wasm';

/** What one xmllint run produced. */
export interface XmllintRun {
  /** xmllint's exit code: 0 valid, 1 not well-formed, 3/4 invalid, 5 schema did not compile. */
  exitCode: number;
  /** Everything xmllint wrote to stderr. */
  stderr: string;
}

const require = createRequire(import.meta.url);

/**
 * The WebAssembly members used here. @types/node 20 does not declare the namespace (it comes
 * with TypeScript's DOM library, which the CLI does not load), so they are typed locally.
 */
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
}
type WasmModule = { readonly kind: 'module' };
type WasmMemory = { readonly kind: 'memory' };
type WasmInstance = { readonly kind: 'instance' };
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The options the Emscripten factory reads (the subset lessonkit passes). */
interface FactoryOptions {
  inputFiles: XMLFileInfo[];
  arguments: string[];
  print(text: string): void;
  printErr(text: string): void;
  onExit(code: number): void;
  onAbort(reason: unknown): void;
  wasmMemory: WasmMemory;
  instantiateWasm(imports: object, receive: (instance: WasmInstance, module: WasmModule) => void): object;
}

interface Xmllint {
  factory: (options: FactoryOptions) => unknown;
  module: WasmModule;
}

/** The one load of this process: undefined when the in-thread path is broken. */
let loading: Promise<Xmllint | undefined> | undefined;

/** A `process` for the glue: enough to take its Node.js path, nothing it can change. */
function processStandIn(): object {
  return {
    versions: process.versions,
    type: undefined,
    argv: ['node', 'xmllint'],
    exitCode: undefined,
    stdin: {
      get fd(): number {
        // Our arguments never name stdin; a run that tries to read it fails rather than blocks.
        throw new Error('xmllint may not read stdin here');
      },
    },
  };
}

function loadXmllint(): Promise<Xmllint | undefined> {
  loading ??= loadXmllintOnce();
  return loading;
}

async function loadXmllintOnce(): Promise<Xmllint | undefined> {
  let compiling: Promise<WasmModule> | undefined;
  try {
    const factoryPath = require.resolve('xmllint-wasm/xmllint-node.js');
    const wasm = readFileSync(path.join(path.dirname(factoryPath), 'xmllint.wasm'));
    // Compiled on V8's background threads while this thread evaluates the glue (and, when
    // prewarmed, while the caller goes on reading the package).
    compiling = compileBaseline(wasm);
    const source = readFileSync(factoryPath, 'utf8');
    // The glue ends by listening on the worker port it expects to run in; here there is none.
    const worker = { parentPort: { on() {}, postMessage() {} } };
    // Loaded when the glue asks (crypto only for random numbers, which xmllint rarely needs).
    const allowed: Record<string, () => unknown> = { fs: () => require('node:fs'), path: () => require('node:path'), crypto: () => require('node:crypto'), worker_threads: () => worker };
    const scopedRequire = (name: string) => {
      const load = allowed[name.replace(/^node:/, '')];
      if (!load) throw new Error(`xmllint-wasm asked for ${name}`);
      return load();
    };
    const run = vm.compileFunction(source, ['require', 'module', 'exports', '__filename', '__dirname', 'process'], { filename: factoryPath });
    const mod: { exports: unknown } = { exports: {} };
    run(scopedRequire, mod, mod.exports, factoryPath, path.dirname(factoryPath), processStandIn());
    if (typeof mod.exports !== 'function') throw new Error('xmllint-wasm exports no factory');
    return { factory: mod.exports as Xmllint['factory'], module: await compiling };
  } catch {
    // Settled before answering, so a failed glue never leaves the compile's flag set behind it.
    await compiling?.catch(() => undefined);
    return undefined;
  }
}

/** Node majors whose V8 has --liftoff-only (20 measured; 22 and 24 ship V8 12-13, which keep it). */
const LIFTOFF_FLAG_KNOWN = [20, 22, 24].includes(Number(process.versions.node.split('.')[0]));

/**
 * Node majors where --wasm-lazy-validation was measured (V8 11.3). Functions are then validated
 * when first called, as they are compiled lazily anyway: a run calls a fraction of libxml2, so
 * the compile's CPU time halves (7.4 to 4 ms on Node 20.20). The module is the one xmllint-wasm
 * ships and checks valid on every other Node; a defect there would fail the run, which falls
 * back to the library's own path.
 */
const LAZY_VALIDATION_KNOWN = Number(process.versions.node.split('.')[0]) === 20;

/**
 * Compiles the module with V8's baseline compiler only. A validation runs for tens of
 * milliseconds; by default V8 also recompiles its hot functions with the optimising compiler on
 * background threads, which for one `lessonkit validate` doubled the CPU time xmllint took and
 * finished too late to pay off. The flag is set only for this compile (the choice stays with
 * the module, as measured on Node 20) and put back as soon as the compile is done, so other
 * WebAssembly in the process (tesseract.js) keeps V8's default tiering. The compile is the
 * asynchronous one: V8 validates the module on its background threads (most functions are
 * compiled lazily, on their first call), so a validate that prewarms overlaps it with its own
 * reading of the package instead of blocking for it.
 */
async function compileBaseline(wasm: Buffer): Promise<WasmModule> {
  // V8 prints "Error: unrecognized flag" for a flag it no longer has: only on the Node majors
  // whose V8 is known to have it (it has since 2018); elsewhere V8's default tiering is used.
  if (!LIFTOFF_FLAG_KNOWN) return Wasm.compile(wasm);
  v8.setFlagsFromString('--liftoff-only');
  if (LAZY_VALIDATION_KNOWN) v8.setFlagsFromString('--wasm-lazy-validation');
  try {
    return await Wasm.compile(wasm);
  } finally {
    v8.setFlagsFromString('--no-liftoff-only');
    if (LAZY_VALIDATION_KNOWN) v8.setFlagsFromString('--no-wasm-lazy-validation');
  }
}

/** Starts compiling the module ahead of the first run, without waiting for it (a no-op once started). */
export function prewarmXmllint(): void {
  void loadXmllint();
}

/** Runs xmllint with these in-memory files and arguments. */
export async function runXmllint(inputFiles: XMLFileInfo[], args: string[], maxPages = 4096): Promise<XmllintRun> {
  const xmllint = await loadXmllint();
  if (!xmllint) return runXmllintFallback(inputFiles, args, maxPages);
  return new Promise<XmllintRun>((resolve) => {
    let stderr = '';
    let done = false;
    const finish = (exitCode: number) => {
      if (done) return;
      done = true;
      resolve({ exitCode, stderr });
    };
    try {
      const p = xmllint.factory({
        inputFiles,
        // A copy: the glue puts the program name in front of the array it is given.
        arguments: [...args],
        print() {},
        printErr(text) {
          stderr += text + '\n';
        },
        onExit: finish,
        onAbort(reason) {
          stderr += `WASM abort: ${String(reason)}\n`;
          finish(-1);
        },
        wasmMemory: new Wasm.Memory({ initial: 256, maximum: maxPages }),
        instantiateWasm(imports, receive) {
          Wasm.instantiate(xmllint.module, imports).then(
            (instance) => receive(instance, xmllint.module),
            (err: unknown) => {
              stderr += `${String(err)}\n`;
              finish(-1);
            },
          );
          return {};
        },
      });
      if (p instanceof Promise) {
        p.catch((err: unknown) => {
          stderr += `${String(err)}\n`;
          finish(-1);
        });
      }
    } catch (err) {
      stderr += `${String(err)}\n`;
      finish(-1);
    }
  });
}

/** The library's own path (a fresh worker per call); exported for tests. Input order: document, schema, preloads. */
export async function runXmllintFallback(inputFiles: XMLFileInfo[], args: string[], maxPages: number): Promise<XmllintRun> {
  const [xml, schema, ...preload] = inputFiles;
  try {
    // Loaded only here: the in-thread path never needs the library's worker glue.
    const { validateXML } = await import('xmllint-wasm');
    const r = await validateXML({ xml: xml!, schema: [schema!], preload, maxMemoryPages: maxPages, modifyArguments: () => args });
    return { exitCode: r.valid ? 0 : 3, stderr: r.rawOutput };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { exitCode: typeof code === 'number' ? code : -1, stderr: err instanceof Error ? err.message : String(err) };
  }
}
