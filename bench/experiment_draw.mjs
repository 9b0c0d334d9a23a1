// The experiment demos' figures, in headless Chromium (no VS Code), as bench/stream_draw.mjs measures the panel: the
// built dist/webview/main.js in a page that stands in for VS Code's webview API.
//   node bench/experiment_draw.mjs [--seconds 5] [--screenshot out.png]
// Prints: the frame rate of the decision-boundary tab while a live run streams metrics and boundary snapshots and
// Play animates a finished run's 50 snapshots (target >= 50 frames/s), the longest frame; then the time from
// switching the shown run (another experiment's value, a finished run) to its first drawn frame (target <= 100 ms).
// Needs `node scripts/build.mjs` first and Chromium at /usr/bin/chromium (or CHROMIUM=...).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, screenshot: { type: 'string' } } });
const seconds = Number(args.seconds);

const script = join(root, 'dist', 'webview', 'main.js');
if (!existsSync(script)) {
  console.error('dist/webview/main.js is missing: run `node scripts/build.mjs` first.');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'gradlab-experiment-draw-'));
const page = join(dir, 'panel.html');
writeFileSync(
  page,
  `<!DOCTYPE html><html><head><meta charset="UTF-8">
<link rel="stylesheet" href="${pathToFileURL(join(root, 'dist', 'webview', 'panel.css'))}">
<style>:root{--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-background:#1e1e1e;--vscode-foreground:#ccc;--vscode-editor-foreground:#ccc}</style>
</head><body class="vscode-dark"><main id="app"></main>
<script>
  window.posted = [];
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.posted.push(m),
    getState: () => ({ v: 1, files: [], hiddenRuns: [], logScale: false, tab: 'boundary', focusRun: 'xor-0.05' }),
    setState: () => {},
  });
</script>
<script src="${pathToFileURL(script)}"></script></body></html>`,
);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  tab.on('pageerror', (e) => errors.push(e.message));
  await tab.goto(pathToFileURL(page).href);
  await tab.waitForFunction(() => window.posted.some((m) => m.type === 'ready'));

  // Two finished XOR runs (lr 0.05 and 0.3), 500 epochs and a 40x40 boundary every 10 of them, as train_classifier.py logs.
  await tab.evaluate(() => {
    const grid = 40;
    const run = (id, lr) => {
      const rows = 500;
      const steps = Float64Array.from({ length: rows }, (_, i) => i);
      const loss = steps.map((s) => 0.7 / (1 + (s * lr) / 2));
      const boundaries = [];
      for (let k = 0; k < 50; k++) {
        const sharp = 1 + k * lr * 4;
        const values = [];
        for (let j = 0; j < grid; j++) for (let i = 0; i < grid; i++) {
          const x = -2 + (4 * i) / (grid - 1);
          const y = -2 + (4 * j) / (grid - 1);
          values.push(1 / (1 + Math.exp(sharp * x * y)));
        }
        boundaries.push({ step: k * 10, bounds: [-2, 2, -2, 2], nx: grid, ny: grid, values, points: [[-1, -1], [1, 1], [-1, 1], [1, -1]], labels: [0, 0, 1, 1] });
      }
      return {
        info: { id, name: `xor lr=${lr}`, kind: 'history', status: 'ok', backend: 'numpy', device: 'cpu', config: { dataset: 'xor', learning_rate: lr }, warnings: [] },
        points: { runId: id, from: 0, steps, t: new Float64Array(rows), columns: { train_loss: loss }, nonFinite: [] },
        snapshots: { runId: id, fits: [], boundaries, landscapes: [] },
      };
    };
    const runs = [run('xor-0.05', 0.05), run('xor-0.3', 0.3)];
    window.postMessage({ type: 'init', runs: runs.map((r) => r.info), points: runs.map((r) => r.points), snapshots: runs.map((r) => r.snapshots), notices: [], running: false }, '*');
  });
  await tab.waitForFunction(() => window.posted.some((m) => m.type === 'rendered' && m.reason === 'init'));

  // Play on the boundary while a live run streams 10,000 points/s and a boundary snapshot every 100 ms.
  const play = await tab.evaluate(async (seconds) => {
    const button = [...document.querySelectorAll('.view.boundary .scrubber vscode-button')].find((b) => b.textContent === 'Play');
    if (!button) throw new Error('the boundary view has no Play button');
    button.click();
    const live = { id: 'live', name: 'live run', kind: 'live', status: 'running', backend: 'numpy', device: 'cpu', warnings: [] };
    window.postMessage({ type: 'runs', runs: [live] }, '*');
    const frames = [];
    let last = performance.now();
    let counting = true;
    const tick = (now) => {
      frames.push(now - last);
      last = now;
      if (counting) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const started = performance.now();
    let row = 0;
    let batches = 0;
    while (performance.now() - started < seconds * 1000) {
      const n = Math.max(1, Math.round(((performance.now() - started) / 1000) * 10000) - row);
      const steps = Float64Array.from({ length: n }, (_, i) => row + i);
      window.postMessage({ type: 'points', blocks: [{ runId: 'live', from: row, steps, t: new Float64Array(n), columns: { train_loss: steps.map((s) => 1 / (1 + s / 500)) }, nonFinite: [] }] }, '*');
      if (batches++ % 2 === 0) {
        const values = Array.from({ length: 1600 }, (_, i) => (i % 40) / 39);
        window.postMessage({ type: 'snapshots', blocks: [{ runId: 'live', fits: [], landscapes: [], boundaries: [{ step: row, bounds: [-2, 2, -2, 2], nx: 40, ny: 40, values }] }] }, '*');
      }
      row += n;
      await new Promise((r) => setTimeout(r, 50));
    }
    counting = false;
    const elapsed = (performance.now() - started) / 1000;
    frames.shift();
    const playing = [...document.querySelectorAll('.view.boundary .scrubber vscode-button')].some((b) => b.textContent === 'Pause');
    return { fps: frames.length / elapsed, worst: Math.max(...frames), points: row, elapsed, playing, label: document.querySelector('.view.boundary .scrubber-label')?.textContent };
  }, seconds);
  console.log(
    `play while streaming: ${play.fps.toFixed(0)} frames/s over ${play.elapsed.toFixed(1)} s (target >= 50), longest frame ${play.worst.toFixed(0)} ms, ` +
      `${play.points.toLocaleString('en-US')} points streamed; at the end ${play.playing ? 'still playing' : 'played to the end'}, showing ${play.label}`,
  );

  // Switching the shown run: the legend's "Show details" of the other finished run, to the end of its first drawn frame.
  const switches = await tab.evaluate(async () => {
    const times = [];
    for (let k = 0; k < 10; k++) {
      const target = k % 2 === 0 ? 'xor lr=0.3' : 'xor lr=0.05';
      const item = [...document.querySelectorAll('aside.legend li.run')].find((li) => li.querySelector('vscode-checkbox')?.label === target);
      const show = item && [...item.querySelectorAll('vscode-button')].find((b) => b.textContent === 'Show details');
      if (!show) throw new Error(`no Show details for ${target}`);
      const clicked = performance.now();
      show.click();
      // registered after the click, this callback runs in the frame the panel draws in, after its draw
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      times.push(performance.now() - clicked);
      await new Promise((r) => setTimeout(r, 50));
    }
    return times;
  });
  switches.sort((a, b) => a - b);
  console.log(`switch to a finished run's first drawn frame: median ${switches[5].toFixed(1)} ms, worst ${switches.at(-1).toFixed(1)} ms over 10 switches (target <= 100 ms)`);
  if (args.screenshot) {
    await tab.screenshot({ path: args.screenshot, fullPage: true });
    console.log(`screenshot: ${args.screenshot}`);
  }
  if (errors.length) console.log(`page errors: ${errors.join(' | ')}`);
} finally {
  await browser.close();
}
