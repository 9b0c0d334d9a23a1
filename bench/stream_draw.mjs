// How fast the training panel's webview draws, in headless Chromium (no VS Code): the built dist/webview/main.js in a
// page that stands in for VS Code's webview API and posts the panel the same messages the host would.
//   node bench/stream_draw.mjs [--points 1000000] [--rate 10000] [--seconds 5] [--screenshot out.png]
// Prints: the time from an `init` holding a history of --points points to the end of its first draw (the panel's
// own `rendered` report), then the frame rate while --rate points per second stream in, and the longest frame.
// Needs `node scripts/build.mjs` first and Chromium at /usr/bin/chromium (or CHROMIUM=...).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    points: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '5' },
    screenshot: { type: 'string' },
  },
});
const totalPoints = Number(args.points);
const rate = Number(args.rate);
const seconds = Number(args.seconds);

const script = join(root, 'dist', 'webview', 'main.js');
if (!existsSync(script)) {
  console.error('dist/webview/main.js is missing: run `node scripts/build.mjs` first.');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'gradlab-draw-'));
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
    getState: () => undefined,
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

  // One run holding totalPoints points: train_loss every step, val_loss every step (two columns).
  const drawMs = await tab.evaluate(async (points) => {
    const rows = points / 2;
    const steps = new Float64Array(rows);
    const t = new Float64Array(rows);
    const train = new Float64Array(rows);
    const val = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      steps[i] = i;
      t[i] = i * 1e-4;
      train[i] = 1 / (1 + i / 1000) + 0.01 * Math.sin(i);
      val[i] = 1 / (1 + i / 1500) + 0.02 + 1e-7 * i;
    }
    const info = { id: 'big', name: 'history (1M points)', kind: 'history', status: 'ok', backend: 'numpy', device: 'cpu', warnings: [] };
    const block = { runId: 'big', from: 0, steps, t, columns: { train_loss: train, val_loss: val }, nonFinite: [] };
    window.posted.length = 0;
    window.postMessage({ type: 'init', runs: [info], points: [block], snapshots: [], notices: [], running: false }, '*');
    const deadline = performance.now() + 60000;
    for (;;) {
      const rendered = window.posted.find((m) => m.type === 'rendered' && m.reason === 'init');
      if (rendered) return rendered;
      if (performance.now() > deadline) throw new Error('the panel never reported a draw');
      await new Promise((r) => setTimeout(r, 5));
    }
  }, totalPoints);
  console.log(`history draw: ${drawMs.points.toLocaleString('en-US')} points of ${drawMs.runs} run drawn in ${drawMs.ms.toFixed(1)} ms after the init message (target < 200 ms)`);

  // Streaming: a live run receiving `rate` points per second in 50 ms batches (the host's pump interval).
  const stream = await tab.evaluate(
    async ({ rate, seconds }) => {
      const info = { id: 'live', name: 'live run', kind: 'live', status: 'running', backend: 'numpy', device: 'cpu', warnings: [] };
      window.postMessage({ type: 'runs', runs: [info] }, '*');
      let row = 0;
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
      while (performance.now() - started < seconds * 1000) {
        // as many rows as keep the rate, two metrics each, however late this timer fired
        const perBatch = Math.max(1, Math.round(((performance.now() - started) / 1000) * rate / 2) - row);
        const steps = new Float64Array(perBatch);
        const train = new Float64Array(perBatch);
        const val = new Float64Array(perBatch);
        for (let i = 0; i < perBatch; i++) {
          steps[i] = row + i;
          train[i] = 1 / (1 + (row + i) / 500);
          val[i] = 1.1 / (1 + (row + i) / 600);
        }
        window.postMessage({ type: 'points', blocks: [{ runId: 'live', from: row, steps, t: new Float64Array(perBatch), columns: { train_loss: train, val_loss: val }, nonFinite: [] }] }, '*');
        row += perBatch;
        await new Promise((r) => setTimeout(r, 50));
      }
      counting = false;
      const elapsed = (performance.now() - started) / 1000;
      frames.shift();
      return { points: row * 2, elapsed, fps: frames.length / elapsed, worst: Math.max(...frames) };
    },
    { rate, seconds },
  );
  console.log(
    `streaming: ${stream.points.toLocaleString('en-US')} points in ${stream.elapsed.toFixed(1)} s (${Math.round(stream.points / stream.elapsed).toLocaleString('en-US')}/s) ` +
      `with the 1M-point history shown: ${stream.fps.toFixed(0)} frames/s, longest frame ${stream.worst.toFixed(0)} ms`,
  );
  if (args.screenshot) {
    await tab.screenshot({ path: args.screenshot, fullPage: true });
    console.log(`screenshot: ${args.screenshot}`);
  }
  if (errors.length) console.log(`page errors: ${errors.join(' | ')}`);
} finally {
  await browser.close();
}
