// The "Save as PNG" button of a chart: the chart drawn with its title and legend, sent to the host to save.
import { FromWebview } from '../src/protocol/webview';
import { chartPng } from './exportPng';
import type { ViewDeps } from './view';

/** Puts the button at the start of the block's heading row; returns the block. */
export function withExportButton(
  block: HTMLElement,
  title: string,
  deps: ViewDeps,
  canvas: () => HTMLCanvasElement | undefined,
  entries: () => { label: string; colour: string }[] = () => [],
): HTMLElement {
  const button = document.createElement('vscode-button');
  button.secondary = true;
  button.textContent = 'Save as PNG';
  button.setAttribute('aria-label', `Save the ${title} chart as a PNG image`);
  button.addEventListener('click', () => {
    const source = canvas();
    if (!source || source.hidden) {
      deps.notice({ level: 'info', message: `The ${title} chart has nothing drawn yet.` });
      return;
    }
    deps.post({ type: FromWebview.SavePng, name: title.toLowerCase().replace(/\W+/g, '-'), dataUrl: chartPng(source, title, entries(), deps.theme()) });
  });
  block.prepend(button);
  button.classList.add('export');
  return block;
}
