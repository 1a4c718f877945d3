// Reading a committed state by the trace's names: the task a name denotes, the open file behind
// a task's fd variable, the namespace behind a file. Used by the step printer and the properties.

import type { Namespace, OpenFile, State, TableName, Tables, Task } from './state';

/** Reading rows by id: a call's transaction (spec/tx.ts) or a state (rowsOf). */
export interface Rows {
  get<K extends TableName>(table: K, id: number): Tables[K];
}

/** Rows of a state, for the functions of spec/caps.ts used outside a call (properties, reports). */
export function rowsOf(s: State): Rows {
  return {
    get<K extends TableName>(table: K, id: number): Tables[K] {
      const row = (s[table] as readonly Tables[K][])[id];
      if (row === undefined) throw new Error(`model bug: ${table}[${id}] does not exist`);
      return row;
    },
  };
}

export function taskByName(s: State, name: string): Task | undefined {
  const id = s.names.get(name);
  return id === undefined ? undefined : s.tasks[id];
}

export function fileOfVar(s: State, taskName: string, fd: string): OpenFile | undefined {
  const task = taskByName(s, taskName);
  const fileId = task?.files == null ? undefined : s.fdtables[task.files]?.fds.get(fd);
  return fileId === undefined ? undefined : s.files[fileId];
}

export function nsOfFile(s: State, file: OpenFile): Namespace | undefined {
  const inode = file.inode === null ? undefined : s.inodes[file.inode];
  return inode ? s.ns[inode.ns] : undefined;
}
