// Writing output files safely.
//
// - Checked before any work: an output path must be creatable (its nearest existing ancestor a
//   directory we can create files in, tested by creating and removing a probe), a file output
//   must not be a directory, a directory output not a file. A failure is one OutputError line.
// - Atomic: each file goes to a hidden temporary name in its directory and is renamed into place,
//   so a reader never sees half a file. Temporary files still in flight are removed when the
//   process exits (also after SIGINT/SIGTERM, which the CLI turns into an orderly exit), and a
//   temporary left by a process that was killed (its pid no longer runs) is removed the next time
//   anything is written to that directory.
// - No recursive mkdir of untrusted paths: Node's `mkdirSync(p, {recursive: true})` spins forever
//   under /proc; directories are made one level at a time.

import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** An output path that cannot be written: shown as one line, exit status 2. */
export class OutputError extends Error {}

let counter = 0;
const inflight = new Set<string>();
const cleaned = new Set<string>();

process.once('exit', () => {
  for (const f of inflight) {
    try {
      rmSync(f, { force: true });
    } catch {
      // best effort at exit
    }
  }
});

const TMP_RE = /^\..+\.(\d+)\.\d+\.tmp$/;

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove temporaries of dead processes from a directory (once per directory per process). */
export function cleanStaleTemps(dir: string): number {
  const key = resolve(dir);
  if (cleaned.has(key)) return 0;
  cleaned.add(key);
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const n of names) {
    const m = TMP_RE.exec(n);
    if (!m || pidAlive(Number(m[1]))) continue;
    try {
      rmSync(join(dir, n), { force: true });
      removed++;
    } catch {
      // someone else's, or gone already
    }
  }
  return removed;
}

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? 'error';
}

/** The nearest existing ancestor (or the path itself) and the components below it. */
function nearestExisting(path: string): { existing: string; missing: string[] } {
  let p = resolve(path);
  const missing: string[] = [];
  for (;;) {
    try {
      lstatSync(p);
      return { existing: p, missing };
    } catch (e) {
      if (code(e) !== 'ENOENT') throw new OutputError(`${path}: cannot use it (${code(e)} at ${p})`);
      const up = dirname(p);
      if (up === p) return { existing: p, missing };
      missing.unshift(basename(p));
      p = up;
    }
  }
}

/** Create and remove a probe file in `dir`: the only reliable test (root passes access(2) on /proc). */
function probe(dir: string, shown: string): void {
  const f = join(dir, `.nscheck-probe.${process.pid}.${counter++}.tmp`);
  try {
    closeSync(openSync(f, 'wx'));
  } catch (e) {
    throw new OutputError(`${shown}: cannot create files in ${dir} (${code(e)})`);
  }
  rmSync(f, { force: true });
}

/** Check that `path` can be written as a directory of outputs (made if missing). */
export function checkOutputDir(path: string, flag = ''): void {
  const shown = flag ? `${flag} ${path}` : path;
  const { existing, missing } = nearestExisting(path);
  let st;
  try {
    st = statSync(existing);
  } catch (e) {
    throw new OutputError(`${shown}: cannot use it (${code(e)})`);
  }
  if (!st.isDirectory()) {
    throw new OutputError(missing.length === 0 ? `${shown}: is not a directory` : `${shown}: ${existing} is not a directory`);
  }
  probe(existing, shown);
}

/** Check that `path` can be written as a file: not a directory, its directory creatable. */
export function checkOutputFile(path: string, flag = ''): void {
  const shown = flag ? `${flag} ${path}` : path;
  const { existing, missing } = nearestExisting(path);
  if (missing.length === 0) {
    let st;
    try {
      st = statSync(existing);
    } catch (e) {
      throw new OutputError(`${shown}: cannot use it (${code(e)})`);
    }
    if (st.isDirectory()) throw new OutputError(`${shown}: is a directory, not a file`);
    if (!st.isFile()) throw new OutputError(`${shown}: is not a regular file`);
    probe(dirname(resolve(path)), shown);
    return;
  }
  checkOutputDir(dirname(resolve(path)), flag);
}

/** mkdir -p, one level at a time. */
export function mkdirs(dir: string): void {
  const { existing, missing } = nearestExisting(dir);
  let p = existing;
  for (const part of missing) {
    p = join(p, part);
    try {
      mkdirSync(p);
    } catch (e) {
      if (code(e) !== 'EEXIST') throw new OutputError(`${dir}: cannot create ${p} (${code(e)})`);
    }
  }
  const st = statSync(resolve(dir));
  if (!st.isDirectory()) throw new OutputError(`${dir}: is not a directory`);
}

/** Write a file under a temporary name in its directory and rename it into place. */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const dir = dirname(resolve(path));
  mkdirs(dir);
  cleanStaleTemps(dir);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  inflight.add(tmp);
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      const buf = typeof text === 'string' ? Buffer.from(text) : text;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof OutputError) throw e;
    throw new OutputError(`${path}: cannot write (${code(e)})`);
  } finally {
    inflight.delete(tmp);
  }
}

/** Remove an empty directory we made (best effort). */
export function removeEmptyDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or not ours
  }
}
