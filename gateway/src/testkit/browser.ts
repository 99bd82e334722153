// The Debian Chromium the browser tests (dashboard e2e, the API reference page) drive through playwright-core (no
// browser download): where it is, whether it is there, and one way to launch it headless without network chatter.
// playwright-core is loaded only when a browser is launched, so the testkit needs it only then.
import fs from 'node:fs';
import type { Browser } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = fs.existsSync(chromiumPath);

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
