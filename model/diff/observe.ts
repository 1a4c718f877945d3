// What user space observes: a step's result with inode numbers replaced by the namespace's
// identity, and (for --compare-state) what a process could observe later. Two variants differ on
// a step when these differ.
//
// Inode numbers are opaque: a program can only compare them. So a readlink result is compared by
// which namespace it names, written as the first task entry (tasks in name order, entries in
// /proc order) that is in that namespace: `net:[…]` of T2 reads as "T1:net" when T1 and T2 share
// it, in both variants alike.

import { PROC_ENTRIES } from '../../spec/proc';
import type { NsId, State, Task } from '../../spec/state';
import { classKey, type Side, type Witness } from './classes';

/** The tasks that have a name in the trace, in name order (P first: names sort "P" < "T…"). */
function namedTasks(s: State): Task[] {
  const out: Task[] = [];
  for (const [, id] of s.names) {
    const t = s.tasks[id];
    if (t && t.state !== 'reaped') out.push(t);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The namespace an entry of a task is in right now (null: none, as for a zombie's nsproxy entries). */
function entryNs(s: State, t: Task, entry: (typeof PROC_ENTRIES)[number]): NsId | null {
  if (entry.own) return entry.own(t);
  if (t.proxy === null || entry.slot === null) return null;
  return s.proxies[t.proxy]!.slots[entry.slot];
}

/** Which namespace `ns` is, in names: the first task entry in it, else the first fd or bind that holds it. */
export function identity(s: State, ns: NsId): string {
  for (const t of namedTasks(s)) for (const e of PROC_ENTRIES) if (entryNs(s, t, e) === ns) return `${t.name}:${e.name}`;
  for (const t of namedTasks(s)) {
    if (t.files === null) continue;
    const vars = [...s.fdtables[t.files]!.fds].filter(([v]) => !v.startsWith('#')).sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [v, f] of vars) {
      const file = s.files[f]!;
      if (file.inode !== null && s.inodes[file.inode]!.ns === ns) return `${t.name}:fd:${v}`;
    }
  }
  for (const m of s.ns) {
    if (m.freed || m.type !== 'mnt') continue;
    for (const mt of m.mounts) if (mt.inode !== null && s.inodes[mt.inode]!.ns === ns) return `bind:${mt.target}`;
  }
  return 'unreachable';
}

const LINK = /^([a-z_]+):\[(\d+)\]$/;

/** A step's result as user space can tell it apart: readlink text up to inode identity. */
export function observable(s: State, result: string): string {
  const m = LINK.exec(result);
  if (!m) return result;
  const inum = Number(m[2]);
  const ns = s.ns.find((n) => !n.freed && n.inum === inum);
  return ns ? `${m[1]}:[${identity(s, ns.id)}]` : `${m[1]}:[freed]`;
}

/**
 * What a process could observe later (--compare-state): for every named task its state and, for
 * every /proc entry, which namespace it is in (by identity); the namespaces fds and binds hold;
 * and how many namespaces of each type are alive.
 */
export function stateObservation(s: State): string {
  const parts: string[] = [];
  for (const t of namedTasks(s)) {
    const entries = PROC_ENTRIES.map((e) => {
      const ns = entryNs(s, t, e);
      return ns === null ? '-' : identity(s, ns);
    });
    parts.push(`${t.name}=${t.state}[${entries.join(',')}]`);
    if (t.files !== null) {
      for (const [v, f] of [...s.fdtables[t.files]!.fds].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (v.startsWith('#')) continue;
        const file = s.files[f]!;
        parts.push(`${t.name}.${v}=${file.kind}${file.inode !== null ? `:${identity(s, s.inodes[file.inode]!.ns)}` : ''}`);
      }
    }
  }
  const alive = new Map<string, number>();
  for (const n of s.ns) if (!n.freed) alive.set(n.type, (alive.get(n.type) ?? 0) + 1);
  parts.push(`alive=${[...alive].sort().map(([k, v]) => `${k}:${v}`).join(',')}`);
  return parts.join(' ');
}

/**
 * Whether one step tells the two sides apart: by its results, or (with compareState) by what the
 * states after it let a process observe later; with the step's class key.
 */
export function stepDifference(op: string, a: Side, b: Side, wa: State, wb: State, compareState: boolean): { key: string; resultA: string; resultB: string; stateOnly?: NonNullable<Witness['stateOnly']> } | undefined {
  let stateOnly: Witness['stateOnly'];
  if (a.result === b.result) {
    if (!compareState) return undefined;
    const oa = stateObservation(wa), ob = stateObservation(wb);
    if (oa === ob) return undefined;
    stateOnly = { a: oa, b: ob };
  }
  return { ...classKey(op, a, b, stateOnly !== undefined), ...(stateOnly ? { stateOnly } : {}) };
}
