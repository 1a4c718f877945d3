// Headless Chromium, for the one view no text check gives: the report as a person sees it
// (toolchain.md §6). Used by the tests and by scripts/render-readme-diagram.ts; never by the CLI.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The chromium executable on PATH, or undefined. */
export function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    const path = r.stdout.trim();
    if (r.status === 0 && path !== '') return path;
  }
  return undefined;
}

function run(exe: string, args: readonly string[], file: string): { status: number | null; stdout: string; stderr: string } {
  const profile = mkdtempSync(join(tmpdir(), 'nscheck-chromium-'));
  try {
    const r = spawnSync(exe, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, ...args, pathToFileURL(file).href,
    ], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Screenshot a local HTML or SVG file into a PNG of the given window size. */
export function screenshot(exe: string, file: string, png: string, width: number, height: number): void {
  const r = run(exe, [`--window-size=${width},${height}`, '--hide-scrollbars', `--screenshot=${png}`], file);
  if (r.status !== 0) throw new Error(`chromium --screenshot exited ${r.status}: ${r.stderr.split('\n').slice(-3).join(' ')}`);
}

/** The DOM of a local file after its scripts ran. */
export function dumpDom(exe: string, file: string): string {
  const r = run(exe, ['--dump-dom'], file);
  if (r.status !== 0) throw new Error(`chromium --dump-dom exited ${r.status}: ${r.stderr.split('\n').slice(-3).join(' ')}`);
  return r.stdout;
}
