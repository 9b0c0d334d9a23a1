// The training panel's HTML: our bundled script and stylesheet only, under a strict Content-Security-Policy with a
// fresh nonce (the webview-sample pattern). No remote resource can load.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Folders the webview may read from. */
export function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function trainingPanelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${asset('panel.css')}">
  <title>Gradient Lab: Training</title>
</head>
<body>
  <main id="app" aria-busy="true"><p class="empty">Loading the training panel…</p></main>
  <script nonce="${nonce}" src="${asset('main.js')}"></script>
</body>
</html>`;
}
