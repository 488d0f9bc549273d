/**
 * The system Chromium for browser tests (Debian's `chromium`, installed by .ci/run), driven by
 * playwright-core: no browser download, no network.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** `CHROMIUM_PATH` when set (it must exist), else the first system browser found, else null. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CHROMIUM_PATH) return fs.existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  return CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

/** Why browser tests cannot run here, or null when they can. */
export function missingChromiumReason(env: NodeJS.ProcessEnv = process.env): string | null {
  if (findChromium(env)) return null;
  const where = env.CHROMIUM_PATH ? `CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist` : `none of ${CANDIDATES.join(', ')} exists`;
  return `no Chromium found (${where}); install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium with a throwaway profile (playwright makes one per launch). */
export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
