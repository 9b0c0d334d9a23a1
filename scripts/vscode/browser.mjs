// Debian's Chromium, headless, driven by playwright-core (no browser download): the flags keep it off
// the network and away from the GPU, as ../../../shared/vscode-server.md describes.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const candidates = [process.env.GRADLAB_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);

const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function executablePath() {
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `Chromium not found (looked for ${candidates.join(', ')}). Install it (Debian: \`apt-get install chromium\`) or set GRADLAB_CHROMIUM.`,
    );
  }
  return found;
}

/** A headless Chromium for this process. */
export function launchBrowser() {
  return chromium.launch({ executablePath: executablePath(), headless: true, args });
}

/** A headless Chromium that another process connects to with `chromium.connect(wsEndpoint)`. */
export function launchBrowserServer() {
  return chromium.launchServer({ executablePath: executablePath(), headless: true, args });
}
