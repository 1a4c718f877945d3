// Where the package's own files are, wherever it was installed and whatever the current folder:
// the package root (the folder of its package.json), its version, and a cache folder for the
// compiled kernel executor that does not need the package folder to be writable.

import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The folder holding nscheck's package.json (the repository in a clone, the package when installed). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'nscheck') return (root = dir);
      } catch {
        // not ours
      }
    }
    if (dirname(dir) === dir) throw new Error('nscheck: cannot find its own package.json');
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** $XDG_CACHE_HOME/nscheck, ~/.cache/nscheck, or a per-user folder in the temporary directory. */
export function cacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && xdg.startsWith('/')) return join(xdg, 'nscheck');
  const home = homedir();
  if (home && home !== '/') return join(home, '.cache', 'nscheck');
  return join(tmpdir(), `nscheck-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
}
