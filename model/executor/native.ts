/**
 * The native half of the kernel executor: compiling nsexec.c on demand into .nscheck-cache/
 * (recompiled when its source changes), checking that this machine can run it (root,
 * CAP_SYS_ADMIN, cc), and the controller process the driver (kernel.ts) talks to over the line
 * protocol described at the top of nsexec.c.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mkdirs } from '../files';
import { cacheDir, packageRoot } from '../package';

// ------------------------------------------------------------------ native binary

const SOURCE = path.join(packageRoot(), 'model', 'executor', 'nsexec.c');
/** Outside the package folder, which may be read-only when installed (model/package.ts). */
const CACHE_DIR = cacheDir();
const CFLAGS = ['-O1', '-Wall', '-Wno-format-truncation', '-std=gnu11'];

function compilerPresent(): boolean {
  const r = spawnSync('cc', ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

/** Path of the compiled nsexec, building it if the source changed. Throws with one clear line. */
export function nsexecBinary(): string {
  const src = fs.readFileSync(SOURCE);
  const hash = createHash('sha256').update(src).update(CFLAGS.join(' ')).digest('hex').slice(0, 16);
  const bin = path.join(CACHE_DIR, `nsexec-${hash}`);
  if (fs.existsSync(bin)) return bin;
  if (!compilerPresent()) {
    throw new Error('nscheck kernel executor: no C compiler found (`cc`); install gcc or clang');
  }
  mkdirs(CACHE_DIR);
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = spawnSync('cc', [...CFLAGS, '-o', tmp, SOURCE], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`nscheck kernel executor: compiling ${SOURCE} failed:\n${r.stderr}`);
  }
  fs.renameSync(tmp, bin);
  // drop binaries built from older sources (a running one keeps its inode)
  for (const f of fs.readdirSync(CACHE_DIR)) {
    if (/^nsexec-[0-9a-f]{16}$/.test(f) && f !== path.basename(bin)) {
      try {
        fs.unlinkSync(path.join(CACHE_DIR, f));
      } catch {
        // another run removed it first
      }
    }
  }
  return bin;
}

let availability: { ok: true } | { ok: false; reason: string } | undefined;

/** Root, CAP_SYS_ADMIN, a C compiler, and a sandbox that can actually be created. */
export function kernelAvailable(): { ok: true } | { ok: false; reason: string } {
  if (availability) return availability;
  availability = checkAvailable();
  return availability;
}

function checkAvailable(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `not Linux (${process.platform})` };
  if (process.arch !== 'x64') return { ok: false, reason: `nsexec supports x86_64 only (${process.arch})` };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, reason: 'not root' };
  let capEff = 0n;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    capEff = m && m[1] ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return { ok: false, reason: 'cannot read /proc/self/status' };
  }
  if ((capEff & (1n << 21n)) === 0n) return { ok: false, reason: 'no CAP_SYS_ADMIN' };
  // capabilities in a child user namespace (unshare -U -r) are not enough: the sandbox, the
  // nsfs file handles and the comparison all assume the initial user namespace
  let userNs = '';
  try {
    userNs = fs.readlinkSync('/proc/self/ns/user');
  } catch {
    return { ok: false, reason: 'cannot read /proc/self/ns/user' };
  }
  if (userNs !== 'user:[4026531837]') return { ok: false, reason: `not in the initial user namespace (this process is in ${userNs}; run as root of the machine, not inside unshare -U)` };
  if (!compilerPresent()) return { ok: false, reason: 'no C compiler (cc)' };
  let bin: string;
  try {
    bin = nsexecBinary();
  } catch (e) {
    return { ok: false, reason: (e as Error).message.split('\n')[0] ?? 'compile failed' };
  }
  const r = spawnSync(bin, [], { input: 'Q\n', encoding: 'utf8', timeout: 10000 });
  const first = (r.stdout ?? '').split('\n')[0] ?? '';
  if (!first.startsWith('READY')) {
    return { ok: false, reason: `sandbox could not be created: ${first || r.error?.message || 'no output'}` };
  }
  return { ok: true };
}

// ------------------------------------------------------------------ controller process

const live = new Set<ChildProcess>();
let signalHandlersInstalled = false;

function installSignalHandlers(): void {
  if (signalHandlersInstalled) return;
  signalHandlersInstalled = true;
  const onSignal = (sig: NodeJS.Signals): void => {
    for (const c of live) c.kill('SIGKILL');
    live.clear();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    signalHandlersInstalled = false;
    process.kill(process.pid, sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

export class Controller {
  private buf = '';
  private lines: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private closed = false;
  readonly exited: Promise<void>;

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.push(line);
      }
    });
    this.exited = new Promise((resolve) => {
      proc.on('exit', () => {
        live.delete(proc);
        this.closed = true;
        this.push(undefined);
        resolve();
      });
      proc.on('error', () => {
        live.delete(proc);
        this.closed = true;
        this.push(undefined);
        resolve();
      });
    });
  }

  private push(line: string | undefined): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(line);
    } else if (line !== undefined) {
      this.lines.push(line);
    }
  }

  /** next line, or undefined on exit / after timeoutMs */
  next(timeoutMs: number): Promise<string | undefined> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.waiter = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }

  send(line: string): void {
    if (!this.closed) this.proc.stdin!.write(`${line}\n`);
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.send('Q');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(t);
    }
  }

  kill(): Promise<void> {
    if (!this.closed) this.proc.kill('SIGKILL');
    return this.exited;
  }
}

/** Compile if needed, start nsexec, and register it so an interrupted driver kills its sandbox. */
export function startController(cpu = 0): Controller {
  const bin = nsexecBinary();
  installSignalHandlers();
  const proc = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NSEXEC_CPU: String(cpu) } });
  live.add(proc);
  return new Controller(proc);
}

/**
 * The pid-namespace level of the sandbox the executor makes: one below this process's own
 * (which is 0 on a machine, deeper in a container). The model starts P there too.
 */
export function sandboxPidLevel(): number {
  try {
    const m = /^NSpid:\s*(.*)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m && m[1] ? m[1].trim().split(/\s+/).length : 1;
  } catch {
    return 1;
  }
}
