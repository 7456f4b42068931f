// Headless Debian Chromium for the browser tests, with the flags this
// machine needs: no sandbox (tests run as root), and no background
// networking, whose requests the closed network would refuse.
import { chromium } from 'playwright-core';

export const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchChromium({ extraArgs = [], timeout = 30000 } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [...BROWSER_ARGS, ...extraArgs],
    timeout,
  });
}
