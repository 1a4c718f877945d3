// npm: node -r ts-node/register/transpile-only scripts/render-readme-diagram.ts [TRACE]
//
// Renders the README's counterexample diagram: docs/counterexample.svg (Graphviz, in-process)
// and docs/counterexample.png (headless Chromium, when installed). The default trace is
// test/fixtures/reports/M10a-mntns-bind-cycle.trace.json: under mutant M10a (no mnt_ns_loop)
// two mount namespaces end up holding binds of each other's nsfs file. Pass another trace, for
// example one "nscheck check" saved under reports/out/, to draw that one instead.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { replay } from '../model/replay';
import { readTrace } from '../model/trace';
import { resolveVariant } from '../model/variants';
import { findChromium, screenshot } from '../reports/chromium';
import { replayDot } from '../reports/dot';
import { decodePng, pngStats } from '../reports/png';
import { inlineSvg, renderSvg } from '../reports/svg';
import { writeFileAtomic } from '../reports/write';

const root = resolve(__dirname, '..');

async function main(): Promise<number> {
  const file = process.argv[2] ?? join(root, 'test', 'fixtures', 'reports', 'M10a-mntns-bind-cycle.trace.json');
  const trace = readTrace(file);
  const result = replay(trace, resolveVariant(trace.variant).sem);
  if (!result.broken) {
    process.stderr.write(`${file}: every property holds; the README diagram needs a counterexample\n`);
    return 1;
  }
  const dot = replayDot(result)!;
  const svg = await renderSvg(dot);
  const svgPath = join(root, 'docs', 'counterexample.svg');
  writeFileAtomic(svgPath, svg);
  console.log(`wrote ${relative(root, svgPath)} (${result.broken.property} under ${result.variant}, ${svg.length} bytes)`);

  const chromium = findChromium();
  if (!chromium) {
    console.log('SKIPPED: chromium not installed; docs/counterexample.png not rendered');
    return 0;
  }
  // the SVG at 1 pt = 1 px on a white page the size of the drawing
  const m = /viewBox="[\d.]+ [\d.]+ ([\d.]+) ([\d.]+)"/.exec(svg);
  const width = Math.ceil(Number(m?.[1] ?? 1600)) + 16;
  const height = Math.ceil(Number(m?.[2] ?? 900)) + 16;
  const dir = mkdtempSync(join(tmpdir(), 'nscheck-readme-'));
  try {
    const page = join(dir, 'page.html');
    const el = inlineSvg(svg).replace(/<svg width="[^"]*" height="[^"]*"/, `<svg width="${width - 16}px" height="${height - 16}px"`);
    writeFileSync(page, `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:#fff}body{padding:8px}</style></head><body>${el}</body></html>`);
    const tmpPng = join(dir, 'shot.png');
    screenshot(chromium, page, tmpPng, width, height);
    const png = readFileSync(tmpPng);
    const stats = pngStats(decodePng(png));
    if (stats.colours < 50 || stats.inked < 0.01) throw new Error(`the screenshot looks blank (${stats.colours} colours, ${(stats.inked * 100).toFixed(1)}% inked)`);
    const pngPath = join(root, 'docs', 'counterexample.png');
    writeFileAtomic(pngPath, png);
    console.log(`wrote ${relative(root, pngPath)} (${width}×${height}, ${png.length} bytes, ${stats.colours} colours)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => { console.error(e); process.exitCode = 3; });
