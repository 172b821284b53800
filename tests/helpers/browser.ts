import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core, for the page tests (playground, dashboard). CI
 * installs it; where it is missing the tests skip with a note, so `npm test` passes on a laptop.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

export function noteMissingChromium(what: string): void {
  if (!haveChromium) process.stdout.write(`${what} browser test skipped: no Chromium at ${CHROMIUM}\n`);
}

/** Headless, and without background networking: this machine refuses Chromium's calls home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
