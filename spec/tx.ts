// A syscall's transaction over the state it runs in (spec/world.ts). Rows are immutable values:
// `update` puts a new row in the slot and journals the row it replaced, `insert` fills the lowest
// free slot. A call that fails is rolled back from the journal by the step runner, which is what
// makes "a failed call changes nothing" structural (TLA+'s UNCHANGED), and the journal of a call
// that succeeded is exactly what it changed: the transition properties read the state before the
// call through it (spec/delta.ts).

import { errnoAt, type Failure, type Semantics } from './semantics';
import type { RuleName } from './rules';
import type { Counters, State, TableName, Tables, TargetFile, Task, TaskId, World } from './state';

/** One journaled slot: the row it held before the call (undefined: the call appended it). */
export interface Change {
  readonly table: TableName;
  readonly id: number;
  readonly before: unknown;
  /** the slot came from the table's free list (a recycled tombstone) */
  readonly reused: boolean;
}

export class Tx {
  /** The journal, in the order the slots were first written. */
  readonly changes: Change[] = [];
  /** A bit per table (TABLE_BIT) that this call wrote. */
  touched = 0;
  /**
   * Namespace reference counts changed by this call, applied to the rows when the call commits:
   * counts change many times per call (every nsproxy slot, owner, parent), and a new row for each
   * change was most of the cost of a step.
   */
  private readonly nsRefs = new Map<number, number>();
  /** names the call set, with what they named before */
  readonly nameLog: [string, TaskId | undefined][] = [];
  /** targets the call created or changed, with what they were before */
  readonly targetLog: [string, TargetFile | undefined][] = [];
  /** the counters before the call */
  readonly counters: Readonly<Counters>;

  constructor(readonly world: World, readonly sem: Semantics) {
    this.counters = { nextNsId: world.nextNsId, nextMountId: world.nextMountId, nextSighand: world.nextSighand };
  }

  /** The state as the call sees it (the same object throughout the call). */
  get base(): State {
    return this.world;
  }

  get nextNsId(): number {
    return this.world.nextNsId;
  }
  set nextNsId(v: number) {
    this.world.nextNsId = v;
  }
  get nextMountId(): number {
    return this.world.nextMountId;
  }
  set nextMountId(v: number) {
    this.world.nextMountId = v;
  }

  /** A new sighand_struct number. */
  newSighand(): number {
    return this.world.nextSighand++;
  }

  /** Read a row; throws only on a model bug (an id that was never allocated). */
  get<K extends TableName>(table: K, id: number): Tables[K] {
    const row = (this.world[table] as Tables[K][])[id];
    if (row === undefined) throw new Error(`model bug: ${table}[${id}] does not exist`);
    return row;
  }

  /** The whole table, live: rows replaced later in the call show up as they are replaced. */
  all<K extends TableName>(table: K): readonly Tables[K][] {
    return this.world[table] as Tables[K][];
  }

  private journal(table: TableName, id: number, before: unknown, reused: boolean): void {
    const bit = TABLE_BIT[table];
    if ((this.touched & bit) !== 0) {
      for (let i = 0; i < this.changes.length; i++) {
        const c = this.changes[i]!;
        if (c.id === id && c.table === table) return;
      }
    }
    this.touched |= bit;
    this.changes.push({ table, id, before, reused });
  }

  /** A namespace's reference count as of now in this call. */
  refsOf(ns: number): number {
    return this.nsRefs.get(ns) ?? this.get('ns', ns).refs;
  }

  setRefs(ns: number, refs: number): void {
    this.nsRefs.set(ns, refs);
  }

  /** Replace a row with a patched copy; the row read before stays as it was (a snapshot). */
  update<K extends TableName>(table: K, id: number, patch: Partial<Tables[K]>): Tables[K] {
    const rows = this.world[table] as Tables[K][];
    const old = this.get(table, id);
    this.journal(table, id, old, false);
    const next = copyRow(table, old);
    Object.assign(next, patch);
    rows[id] = next;
    return next;
  }

  /** The id the next insert into `table` will get: the lowest free slot, else a new one. */
  nextId(table: TableName): number {
    return this.world.free[table][0] ?? this.world[table].length;
  }

  /** Put a new row in the lowest free slot of the table (its id is the slot). */
  insert<K extends TableName>(table: K, make: (id: number) => Tables[K]): Tables[K] {
    const rows = this.world[table] as Tables[K][];
    const free = this.world.free[table];
    const id = free.length > 0 ? free.shift()! : rows.length;
    const row = make(id);
    this.journal(table, id, rows[id], id < rows.length);
    rows[id] = row;
    return row;
  }

  name(name: string): TaskId | undefined {
    return this.world.names.get(name);
  }

  setName(name: string, id: TaskId): void {
    this.nameLog.push([name, this.world.names.get(name)]);
    this.world.names.set(name, id);
  }

  /** whether the target is a directory; undefined when it does not exist */
  target(name: string): boolean | undefined {
    return this.world.targets.get(name)?.dir;
  }

  targetFile(name: string): TargetFile | undefined {
    return this.world.targets.get(name);
  }

  setTarget(name: string, dir: boolean, owner: number): void {
    this.targetLog.push([name, this.world.targets.get(name)]);
    this.world.targets.set(name, { id: this.world.nextMountId++, dir, owner });
  }

  deleteTarget(name: string): void {
    this.targetLog.push([name, this.world.targets.get(name)]);
    this.world.targets.delete(name);
  }

  /** Apply the pending reference counts; the state is then complete. Returns it. */
  commit(): State {
    for (const [id, refs] of this.nsRefs) if (this.get('ns', id).refs !== refs) this.update('ns', id, { refs });
    this.nsRefs.clear();
    return this.world;
  }

  /** Undo everything the call wrote. */
  rollback(): void {
    this.nsRefs.clear();
    const w = this.world;
    for (let i = this.changes.length - 1; i >= 0; i--) {
      const c = this.changes[i]!;
      const rows = w[c.table] as unknown[];
      if (c.before === undefined) rows.length = c.id; // appended: slots are appended in order
      else rows[c.id] = c.before;
      if (c.reused) insertSorted(w.free[c.table], c.id);
    }
    for (let i = this.nameLog.length - 1; i >= 0; i--) {
      const [n, old] = this.nameLog[i]!;
      if (old === undefined) w.names.delete(n);
      else w.names.set(n, old);
    }
    for (let i = this.targetLog.length - 1; i >= 0; i--) {
      const [n, old] = this.targetLog[i]!;
      if (old === undefined) w.targets.delete(n);
      else w.targets.set(n, old);
    }
    w.nextNsId = this.counters.nextNsId;
    w.nextMountId = this.counters.nextMountId;
    w.nextSighand = this.counters.nextSighand;
    this.changes.length = 0;
    this.nameLog.length = 0;
    this.targetLog.length = 0;
    this.touched = 0;
  }

  /** Whether the call has written anything so far (rows, pending counts, names, targets). */
  get dirty(): boolean {
    return this.changes.length > 0 || this.nsRefs.size > 0 || this.nameLog.length > 0 || this.targetLog.length > 0;
  }

  /** Whether the call changed names or targets (which no table bit covers). */
  get touchedNames(): boolean {
    return this.nameLog.length > 0 || this.targetLog.length > 0;
  }
}

/** One bit per table, for cheap "did this call write table X" tests. */
export const TABLE_BIT: Readonly<Record<TableName, number>> = {
  tasks: 1, ns: 2, proxies: 4, inodes: 8, files: 16, fdtables: 32, fss: 64, mms: 128,
};

/** Insert into an ascending list of ids. */
export function insertSorted(list: number[], id: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1]! > id) i--;
  list.splice(i, 0, id);
}

/** The context of one call: the transaction, the semantics, and the acting task. */
export class Call {
  constructor(readonly tx: Tx, readonly actor: Task) {}

  get sem(): Semantics {
    return this.tx.sem;
  }

  /** The failure for `rule` when `cond` holds and the rule is in force; otherwise undefined. */
  guard(rule: RuleName, cond: boolean): Failure | undefined {
    return cond ? this.sem.failures[rule] : undefined;
  }

  /**
   * The failure of a rule that has no alternative path (nothing to return but an error): it
   * fires even when a variant disables the rule, with the rule's errno for this kernel.
   */
  fail(rule: RuleName): Failure {
    return this.sem.failures[rule] ?? { ok: false, errno: errnoAt(rule, this.sem.kernel), rule };
  }

  /** Re-read the acting task (it may have been updated earlier in the call). */
  self(): Task {
    return this.tx.get('tasks', this.actor.id);
  }
}

export type Ok = { readonly ok: true; readonly state: State; readonly value?: string };
export type Outcome = Ok | Failure;

// --- copying rows -------------------------------------------------------------------------------
// A patched copy is most of the cost of a step. Every row of a table has the same fields (one
// constructor each), so each table gets a copying function written for its fields, made from the
// first row copied: twice as fast as an object spread (npm run bench). A row with other fields
// than the first (a bug in a constructor) is copied by spread, and NSCHECK_CHECK_ROWS=1 makes
// that an error (test/spec.test.ts runs random traces with it).

type Copier = (row: object) => Record<string, unknown>;
const COPIERS = new Map<TableName, { copy: Copier; keys: number }>();
const CHECK_ROWS = typeof process !== 'undefined' && process.env?.NSCHECK_CHECK_ROWS === '1';

function copyRow<K extends TableName>(table: K, row: Tables[K]): Tables[K] {
  let c = COPIERS.get(table);
  if (!c) {
    const keys = Object.keys(row);
    if (!keys.every((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))) return { ...row };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    c = { copy: new Function('o', `return { ${keys.map((k) => `${k}: o.${k}`).join(', ')} };`) as Copier, keys: keys.length };
    COPIERS.set(table, c);
  }
  if (CHECK_ROWS && Object.keys(row).length !== c.keys) throw new Error(`model bug: a ${table} row has ${Object.keys(row).length} fields, the first had ${c.keys}`);
  return c.copy(row) as unknown as Tables[K];
}
