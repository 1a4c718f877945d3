// Reading a committed state by the trace's names: the task a name denotes, the open file behind
// a task's fd variable, the namespace behind a file. Used by the step printer and the properties.

import type { Namespace, OpenFile, State, Task } from './state';

export function taskByName(s: State, name: string): Task | undefined {
  const id = s.names[name];
  return id === undefined ? undefined : s.tasks[id];
}

export function fileOfVar(s: State, taskName: string, fd: string): OpenFile | undefined {
  const task = taskByName(s, taskName);
  const fileId = task?.files == null ? undefined : s.fdtables[task.files]?.fds[fd];
  return fileId === undefined ? undefined : s.files[fileId];
}

export function nsOfFile(s: State, file: OpenFile): Namespace | undefined {
  const inode = file.inode === null ? undefined : s.inodes[file.inode];
  return inode ? s.ns[inode.ns] : undefined;
}
