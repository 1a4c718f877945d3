// Report files: written atomically into output folders checked beforehand (model/files.ts), one
// folder per trace when there are several.

import { basename } from 'node:path';

export { checkOutputDir, checkOutputFile, OutputError, writeFileAtomic } from '../model/files';

/** Folder names for trace files: basename without `.trace.json`, made safe and unique. */
export function reportDirNames(files: readonly string[]): string[] {
  const used = new Set<string>();
  return files.map((f) => {
    const base = basename(f).replace(/\.trace\.json$|\.json$/, '').replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^\.+/, '_').slice(0, 100) || 'trace';
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return name;
  });
}
