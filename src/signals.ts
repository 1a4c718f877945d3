// Ctrl-C and SIGTERM: the first asks the running command to stop at the next safe point (it then
// writes what it has, says "interrupted" and exits 130); a second one exits at once. Temporary
// files in flight are removed on exit either way (reports/write.ts).

export const interruption = { requested: false };

export const EXIT_INTERRUPTED = 130;

let installed = false;

export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (interruption.requested) process.exit(EXIT_INTERRUPTED);
      interruption.requested = true;
    });
  }
}
