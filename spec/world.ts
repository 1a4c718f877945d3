// The state a run steps in place, and the bookkeeping of its slots: copies (snapshots) for the
// reports and searches that keep states, and the release of freed slots between steps.
//
// A step leaves what it freed as tombstones, so the invariants checked after it can still see a
// reference to a freed object. Before the next step `releaseDying` makes those slots reusable:
// a long trace keeps only what is alive (and the last step's dead), not its whole history. A
// reaped task is released only once no pidfd names it (the pidfd holds its struct pid), and its
// trace name is forgotten with it, which changes nothing a step can observe: a reaped task's name
// already answers like an unknown one (ESRCH, ECHILD, ENOENT).

import type { Change, Tx } from './tx';
import { insertSorted, TABLE_BIT } from './tx';
import { TABLE_NAMES, type State, type TableName, type Tables, type TargetFile, type TaskId, type World } from './state';

/** A fresh world holding a copy of `s` (the rows themselves are shared: they are immutable). */
export function newWorld(s: State): World {
  const w = {
    nextNsId: s.nextNsId, nextMountId: s.nextMountId, nextSighand: s.nextSighand,
    targets: new Map(s.targets), names: new Map(s.names),
    free: {} as World['free'], dying: [] as World['dying'],
  } as World;
  const src = s as Partial<World>;
  for (const t of TABLE_NAMES) {
    (w as unknown as Record<string, unknown>)[t] = (s[t] as readonly unknown[]).slice();
    w.free[t] = src.free ? src.free[t].slice() : [];
  }
  if (src.dying) w.dying = src.dying.slice();
  return w;
}

/** A copy of the state that later steps cannot change (reports keep one per step they draw). */
export function snapshot(s: State): State {
  return newWorld(s);
}

function isDead(table: TableName, row: unknown): boolean {
  const r = row as { freed?: boolean; state?: string } | undefined;
  if (r === undefined) return false;
  return table === 'tasks' ? r.state === 'reaped' : r.freed === true;
}

/** After a step: remember the slots it freed (compared with what they held before it). */
export function noteDying(w: World, changes: readonly Change[]): void {
  for (const c of changes) {
    if (isDead(c.table, w[c.table][c.id]) && !isDead(c.table, c.before)) w.dying.push({ table: c.table, id: c.id });
  }
}

/**
 * Before a step: make the slots freed by the previous one reusable. A reaped task still named by
 * an open pidfd waits; a pid namespace whose init it was forgets the pointer.
 */
export function releaseDying(w: World): void {
  if (w.dying.length === 0) return;
  const keep: World['dying'] = [];
  for (const d of w.dying) {
    if (d.table === 'tasks') {
      const t = w.tasks[d.id]!;
      if (w.files.some((f) => !f.freed && f.pidTask === d.id)) {
        keep.push(d);
        continue;
      }
      if (w.names.get(t.name) === t.id) w.names.delete(t.name);
      for (const ns of w.ns) if (ns.reaper === t.id) w.ns[ns.id] = { ...ns, reaper: null };
    }
    insertSorted(w.free[d.table], d.id);
  }
  w.dying = keep;
}

/**
 * The state before a call, read through its journal: each table is rebuilt only when a reader
 * asks for it (the transition properties read one or two), from the state after and the rows
 * the call replaced.
 */
export function stateBefore(after: State, tx: Tx): State {
  const cache: Partial<Record<TableName, readonly unknown[]>> = {};
  const table = <K extends TableName>(name: K): readonly Tables[K][] => {
    let rows = cache[name] as readonly Tables[K][] | undefined;
    if (rows === undefined) {
      if ((tx.touched & TABLE_BIT[name]) === 0) rows = after[name] as readonly Tables[K][];
      else {
        const copy = (after[name] as readonly Tables[K][]).slice();
        let length = copy.length;
        for (let i = tx.changes.length - 1; i >= 0; i--) {
          const c = tx.changes[i]!;
          if (c.table !== name) continue;
          if (c.before === undefined) length = Math.min(length, c.id);
          else copy[c.id] = c.before as Tables[K];
        }
        copy.length = length;
        rows = copy;
      }
      cache[name] = rows;
    }
    return rows;
  };
  const names = (): ReadonlyMap<string, TaskId> => {
    if (tx.nameLog.length === 0) return after.names;
    const m = new Map(after.names);
    for (let i = tx.nameLog.length - 1; i >= 0; i--) {
      const [n, old] = tx.nameLog[i]!;
      if (old === undefined) m.delete(n);
      else m.set(n, old);
    }
    return m;
  };
  const targets = (): ReadonlyMap<string, TargetFile> => {
    if (tx.targetLog.length === 0) return after.targets;
    const m = new Map(after.targets);
    for (let i = tx.targetLog.length - 1; i >= 0; i--) {
      const [n, old] = tx.targetLog[i]!;
      if (old === undefined) m.delete(n);
      else m.set(n, old);
    }
    return m;
  };
  return {
    get tasks() { return table('tasks'); },
    get ns() { return table('ns'); },
    get proxies() { return table('proxies'); },
    get inodes() { return table('inodes'); },
    get files() { return table('files'); },
    get fdtables() { return table('fdtables'); },
    get fss() { return table('fss'); },
    get mms() { return table('mms'); },
    get names() { return names(); },
    get targets() { return targets(); },
    nextNsId: tx.counters.nextNsId,
    nextMountId: tx.counters.nextMountId,
    nextSighand: tx.counters.nextSighand,
  };
}
