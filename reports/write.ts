// Writing report files: each goes to a temporary name in the same directory and is renamed into
// place, so a reader never sees a half-written file. Several traces get one folder each.

import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Folder names for trace files: basename without `.trace.json`, made safe and unique. */
export function reportDirNames(files: readonly string[]): string[] {
  const used = new Set<string>();
  return files.map((f) => {
    const base = basename(f).replace(/\.trace\.json$|\.json$/, '').replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^\.+/, '_') || 'trace';
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return name;
  });
}
