// Resolving a variant argument: a built-in name, or a variant file exporting a VariantDef
// (default export, or `variant`). Only a file named on the command line is ever loaded: a
// trace's own `variant` field may name only a built-in (see `traceVariant`).
//
// Loading a file:
// - it must be a regular file of at most MAX_VARIANT_BYTES;
// - TypeScript (.ts, .mts, .cts) is transpiled on the fly with typescript's transpileModule (just
//   that file, no type-check), JavaScript (.js, .cjs) runs as CommonJS, .mjs through import();
// - `import ... from 'nscheck'` and 'nscheck/variant' resolve to this very nscheck, wherever the
//   file lies;
// - the file first runs in a worker thread with a time and memory limit, so a file that loops or
//   allocates without end is refused with one line instead of hanging the checker; then it runs
//   here. Problems become one-line VariantErrors (exit 2).

import { readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { semanticsOf, validateVariant, VariantError, type VariantDef } from '../spec/variants/define';
import { BUILTIN_VARIANTS, builtinVariant, onBase } from '../spec/variants';
import type { Semantics } from '../spec/semantics';
import { packageRoot } from './package';
import { INVARIANTS, TRANSITIONS } from '../properties';
import { MODEL_ERROR } from './run';

export const MAX_VARIANT_BYTES = 1 << 20;
/** Wall-clock and heap limits of loading a variant file (NSCHECK_VARIANT_LOAD_MS overrides the time). */
export const VARIANT_LOAD_MS = Math.max(100, Number(process.env.NSCHECK_VARIANT_LOAD_MS) || 10_000);
export const VARIANT_LOAD_HEAP_MB = 256;

export interface LoadedVariant {
  readonly def: VariantDef;
  readonly sem: Semantics;
  /** the absolute path of a variant file; undefined for a built-in */
  readonly file?: string;
  /** how a person names it on the command line: the built-in name or the path as given */
  readonly arg: string;
}

const FILE_EXT = /\.(ts|mts|cts|js|cjs|mjs)$/;

export function looksLikeFile(arg: string): boolean {
  return arg.includes('/') || FILE_EXT.test(arg);
}

function shown(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

/** The JavaScript (CommonJS) text of a variant file; TypeScript is transpiled. */
function javascriptOf(path: string, arg: string): string {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new VariantError(`${arg}: no such variant file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!st.isFile()) throw new VariantError(`${arg}: not a regular file`);
  if (st.size > MAX_VARIANT_BYTES) throw new VariantError(`${arg}: ${st.size} bytes, more than the ${MAX_VARIANT_BYTES} a variant file may have`);
  const text = readFileSync(path, 'utf8');
  if (!/\.(ts|mts|cts)$/.test(path)) return text;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  return ts.transpileModule(text, {
    fileName: path,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  }).outputText;
}

/** What `nscheck` and `nscheck/variant` mean inside a variant file. */
function selfModule(id: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (id === 'nscheck/variant') return require('../spec/variants/define');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (id === 'nscheck') return require('../src/index');
  return undefined;
}

/** Evaluate CommonJS text as the module at `path` (its own require resolves next to it). */
function evaluate(js: string, path: string): Record<string, unknown> {
  const mod = new Module(path, module);
  mod.filename = path;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(path));
  const own = Module.createRequire(path);
  const req = ((id: string) => selfModule(id) ?? own(id)) as NodeJS.Require;
  Object.assign(req, { resolve: own.resolve, cache: own.cache, main: own.main, extensions: own.extensions });
  const wrapper = (Module as unknown as { wrap(s: string): string }).wrap(js);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const fn = new Function('return ' + wrapper)() as (e: unknown, r: unknown, m: unknown, f: string, d: string) => void;
  fn.call(mod.exports, mod.exports, req, mod, path, dirname(path));
  return mod.exports as Record<string, unknown>;
}

/** The VariantDef a module exports; a getter that throws, or no export, is a VariantError. */
function exported(mod: Record<string, unknown>, arg: string): VariantDef {
  let def: unknown;
  try {
    def = mod.default ?? mod.variant;
  } catch (e) {
    throw new VariantError(`${arg}: reading its export threw: ${firstLine(e)}`);
  }
  if (!def || typeof def !== 'object') throw new VariantError(`${arg}: exports no variant (export default defineVariant({...}))`);
  try {
    validateVariant(def as VariantDef);
  } catch (e) {
    throw new VariantError(`${arg}: ${firstLine(e)}`);
  }
  const ex = (def as VariantDef).expect;
  if (ex !== undefined && ex !== 'holds') {
    const known = [...INVARIANTS, ...TRANSITIONS].map((p) => p.name).concat(MODEL_ERROR);
    const v = (ex as { violates?: unknown }).violates;
    if (typeof v !== 'string' || !known.includes(v)) throw new VariantError(`${arg}: expect.violates must name a property (one of ${known.join(', ')})`);
  }
  return def as VariantDef;
}

function firstLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  const line = s.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Run the module once in a worker with limits; resolves with an error line or undefined. */
function trialRun(js: string, path: string, esm: boolean): Promise<string | undefined> {
  const worker = new Worker(join(__dirname, `variant-worker${extname(__filename)}`), {
    workerData: { js, path, esm },
    resourceLimits: { maxOldGenerationSizeMb: VARIANT_LOAD_HEAP_MB, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    execArgv: extname(__filename) === '.ts' ? ['-r', 'ts-node/register/transpile-only'] : [],
    stdout: true, stderr: true,
  });
  return new Promise((done) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      done(`did not finish loading within ${VARIANT_LOAD_MS / 1000} s`);
    }, VARIANT_LOAD_MS);
    worker.once('message', (m: { error?: string }) => {
      clearTimeout(timer);
      void worker.terminate();
      done(m.error);
    });
    worker.once('error', (e: Error & { code?: string }) => {
      clearTimeout(timer);
      done(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `used more than ${VARIANT_LOAD_HEAP_MB} MB while loading` : `does not load: ${firstLine(e)}`);
    });
    worker.once('exit', () => {
      clearTimeout(timer);
      done(undefined);
    });
  });
}

/** Evaluate a variant file's JavaScript (also used by the worker); throws VariantError. */
export async function evaluateVariant(js: string, path: string, esm: boolean, arg: string): Promise<VariantDef> {
  let mod: Record<string, unknown>;
  try {
    mod = esm ? ((await import(pathToFileURL(path).href)) as Record<string, unknown>) : evaluate(js, path);
  } catch (e) {
    if (e instanceof VariantError) throw e;
    throw new VariantError(`${arg}: does not load: ${firstLine(e)}`);
  }
  return exported(mod, arg);
}

/** Load a variant file named on the command line. */
export async function loadVariantFile(arg: string): Promise<{ def: VariantDef; file: string }> {
  const path = resolve(arg);
  const esm = path.endsWith('.mjs');
  const js = javascriptOf(path, arg);
  const trial = await trialRun(js, path, esm);
  if (trial !== undefined) throw new VariantError(`${arg}: ${trial}`);
  return { def: await evaluateVariant(js, path, esm, arg), file: path };
}

/** A built-in by name, or a variant file. */
export async function loadVariant(arg: string): Promise<LoadedVariant> {
  if (looksLikeFile(arg)) {
    const loaded = await loadVariantFile(arg);
    let def: VariantDef;
    try {
      def = onBase(loaded.def);
    } catch (e) {
      throw new VariantError(`${arg}: ${(e as Error).message}`);
    }
    return { def, sem: semanticsOf(def), file: loaded.file, arg };
  }
  const def = builtinVariant(arg);
  if (!def) throw new VariantError(`unknown variant ${shown(arg)}${nearest(arg)} (built-in: ${BUILTIN_VARIANTS.map((v) => v.name).join(', ')})`);
  return { def, sem: semanticsOf(def), arg };
}

function nearest(arg: string): string {
  const lower = arg.toLowerCase();
  const hit = BUILTIN_VARIANTS.find((v) => v.name.toLowerCase() === lower);
  return hit ? ` (did you mean "${hit.name}"?)` : '';
}

/**
 * The variant a trace runs under. A trace is data and never runs code: its `variant` field may
 * name a built-in, or the very file given with --variant (which then decides anyway).
 */
export async function traceVariant(traceVariantName: string, cliVariant: LoadedVariant | undefined, where: string): Promise<LoadedVariant> {
  if (cliVariant) return cliVariant;
  if (looksLikeFile(traceVariantName)) {
    throw new VariantError(`${where}: the trace names the variant file ${shown(traceVariantName)}; a trace cannot load code: give the file with --variant if you trust it`);
  }
  return loadVariant(traceVariantName);
}

/** The control trace of a variant: next to the variant file, or among the built-in controls. */
export function controlPath(v: LoadedVariant): string | undefined {
  const c = v.def.control;
  if (c === undefined) return undefined;
  return v.file ? resolve(dirname(v.file), c) : join(packageRoot(), 'spec', 'variants', 'controls', c);
}

/** A built-in variant by name (synchronous; a file must go through loadVariant). */
export function resolveVariant(arg: string): LoadedVariant {
  if (looksLikeFile(arg)) throw new VariantError(`${shown(arg)}: a variant file must be loaded with loadVariant`);
  const def = builtinVariant(arg);
  if (!def) throw new VariantError(`unknown variant ${shown(arg)}${nearest(arg)} (built-in: ${BUILTIN_VARIANTS.map((v) => v.name).join(', ')})`);
  return { def, sem: semanticsOf(def), arg };
}
