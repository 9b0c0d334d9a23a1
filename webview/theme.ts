// Colours from the VS Code theme (--vscode-* variables), read again whenever the theme changes, so charts follow
// light, dark and high-contrast themes. Canvas drawing needs concrete colours, not var(), hence this module.

export interface Theme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  error: string;
  /** run colours, in order */
  palette: string[];
  highContrast: boolean;
  font: string;
  /** 1 normally, 2 in high contrast: line widths scale with it */
  weight: number;
}

const PALETTE_VARS = ['blue', 'orange', 'green', 'purple', 'red', 'yellow'];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

export function readTheme(): Theme {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  const foreground = v('--vscode-editor-foreground', v('--vscode-foreground', '#cccccc'));
  return {
    foreground,
    muted: v('--vscode-descriptionForeground', '#9d9d9d'),
    grid: highContrast ? v('--vscode-contrastBorder', foreground) : withAlpha(foreground, 0.18),
    background: v('--vscode-editor-background', '#1e1e1e'),
    error: v('--vscode-errorForeground', '#f14c4c'),
    palette: PALETTE_VARS.map((name, i) => v(`--vscode-charts-${name}`, FALLBACK[i])),
    highContrast,
    font: `${v('--vscode-font-size', '13px')} ${v('--vscode-font-family', 'sans-serif')}`,
    weight: highContrast ? 2 : 1,
  };
}

/** Calls back when VS Code switches theme (it changes the body's classes and variables). */
export function onThemeChange(callback: () => void): void {
  new MutationObserver(callback).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
}

/** A distinct colour for the n-th run: the theme's chart colours first, then hues spread by the golden angle. */
export function runColour(theme: Theme, n: number): string {
  if (n < theme.palette.length) return theme.palette[n];
  const hue = (n * 137.508) % 360;
  return `hsl(${hue.toFixed(0)}, 65%, ${document.body.classList.contains('vscode-light') ? 40 : 62}%)`;
}

/** The colour with an alpha, for fills (works for #rgb, #rrggbb, rgb() and hsl()). */
export function withAlpha(colour: string, alpha: number): string {
  const canvas = document.createElement('canvas').getContext('2d');
  if (!canvas) return colour;
  canvas.fillStyle = colour;
  const normal = canvas.fillStyle; // the browser's #rrggbb or rgba() form
  if (normal.startsWith('#')) {
    const n = parseInt(normal.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  return normal.replace(/rgba?\(([^)]+?)(,\s*[\d.]+)?\)/, `rgba($1, ${alpha})`);
}
