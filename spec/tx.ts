// A syscall's working copy of the state. Reads go to the base state until a table is first
// written; then that table (an array indexed by id) is copied once and written in place.
// `commit()` returns the new state; a failing call simply never commits, which is what makes
// "a failed call changes nothing" structural (TLA+'s UNCHANGED).

import { errnoAt, type Failure, type Semantics } from './semantics';
import type { RuleName } from './rules';
import type { State, TableName, Tables, Task, TaskId } from './state';

type Rows = { -readonly [K in TableName]?: Tables[K][] };

export class Tx {
  private readonly rows: Rows = {};
  /**
   * Namespace reference counts changed by this call, applied to the rows at commit: counts
   * change many times per call (every nsproxy slot, owner, parent), and copying a namespace
   * row for each change was most of the cost of a step.
   */
  private readonly nsRefs = new Map<number, number>();
  private names: Record<string, TaskId> | undefined;
  private targets: Record<string, boolean> | undefined;
  nextNsId: number;
  nextMountId: number;

  constructor(readonly base: State, readonly sem: Semantics) {
    this.nextNsId = base.nextNsId;
    this.nextMountId = base.nextMountId;
  }

  /** Read a row; throws only on a model bug (an id that was never allocated). */
  get<K extends TableName>(table: K, id: number): Tables[K] {
    const rows = (this.rows[table] ?? this.base[table]) as readonly Tables[K][];
    const row = rows[id];
    if (row === undefined) throw new Error(`model bug: ${table}[${id}] does not exist`);
    return row;
  }

  all<K extends TableName>(table: K): readonly Tables[K][] {
    return (this.rows[table] ?? this.base[table]) as readonly Tables[K][];
  }

  private writable<K extends TableName>(table: K): Tables[K][] {
    let rows = this.rows[table] as Tables[K][] | undefined;
    if (!rows) {
      rows = (this.base[table] as readonly Tables[K][]).slice();
      (this.rows as Record<string, unknown>)[table] = rows;
    }
    return rows;
  }

  /** A namespace's reference count as of now in this call. */
  refsOf(ns: number): number {
    return this.nsRefs.get(ns) ?? this.get('ns', ns).refs;
  }

  setRefs(ns: number, refs: number): void {
    this.nsRefs.set(ns, refs);
  }

  /**
   * Replace a row with a patched copy. Rows are never patched in place: the syscalls hold rows
   * they read as snapshots (putNs reads a namespace's mounts after marking it freed).
   */
  update<K extends TableName>(table: K, id: number, patch: Partial<Tables[K]>): Tables[K] {
    const rows = this.writable(table);
    const next = { ...this.get(table, id), ...patch } as Tables[K];
    rows[id] = next;
    return next;
  }

  /** Append a row whose id is the next index of the table. */
  insert<K extends TableName>(table: K, make: (id: number) => Tables[K]): Tables[K] {
    const rows = this.writable(table);
    const row = make(rows.length);
    rows.push(row);
    return row;
  }

  nextId(table: TableName): number {
    return this.all(table).length;
  }

  name(name: string): TaskId | undefined {
    const names = this.names ?? this.base.names;
    return Object.prototype.hasOwnProperty.call(names, name) ? names[name] : undefined;
  }

  setName(name: string, id: TaskId): void {
    if (!this.names) this.names = { ...this.base.names };
    this.names[name] = id;
  }

  target(name: string): boolean | undefined {
    const t = this.targets ?? this.base.targets;
    return Object.prototype.hasOwnProperty.call(t, name) ? t[name] : undefined;
  }

  setTarget(name: string, dir: boolean): void {
    if (!this.targets) this.targets = { ...this.base.targets };
    this.targets[name] = dir;
  }

  commit(): State {
    for (const [id, refs] of this.nsRefs) if (this.get('ns', id).refs !== refs) this.update('ns', id, { refs });
    this.nsRefs.clear();
    const s: { -readonly [K in keyof State]: State[K] } = { ...this.base };
    for (const k of Object.keys(this.rows) as TableName[]) (s as Record<string, unknown>)[k] = this.rows[k];
    if (this.names) s.names = this.names;
    if (this.targets) s.targets = this.targets;
    s.nextNsId = this.nextNsId;
    s.nextMountId = this.nextMountId;
    return s;
  }
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
