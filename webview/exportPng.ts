// A chart as a PNG: the chart's canvas on the theme's background, with a title above and the legend below (the
// on-screen legend is HTML and not part of the canvas).
import type { Theme } from './theme';

export function chartPng(
  canvas: HTMLCanvasElement,
  title: string,
  entries: { label: string; colour: string }[],
  theme: Theme,
): string {
  const ratio = devicePixelRatio || 1;
  const line = 18 * ratio;
  const shown = entries.slice(0, 24);
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height + line * (2 + shown.length);
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('this webview cannot draw on a canvas');
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.font = theme.font.replace(/^(\d+)px/, (_, px) => `${Math.round(Number(px) * ratio)}px`);
  ctx.fillStyle = theme.foreground;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, 8 * ratio, line / 2);
  ctx.drawImage(canvas, 0, line);
  shown.forEach((entry, i) => {
    const y = line + canvas.height + line * (i + 0.5);
    ctx.fillStyle = entry.colour;
    ctx.fillRect(8 * ratio, y - 2 * ratio, 16 * ratio, 4 * ratio);
    ctx.fillStyle = theme.foreground;
    ctx.fillText(entry.label, 30 * ratio, y);
  });
  if (entries.length > shown.length) {
    ctx.fillText(`… and ${entries.length - shown.length} more series`, 30 * ratio, line + canvas.height + line * (shown.length + 0.5));
  }
  return out.toDataURL('image/png');
}
