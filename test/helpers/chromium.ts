// A local HTML file opened in headless Chromium for tests, driven by puppeteer-core: Debian's real
// chromium (/usr/bin/chromium, installed by .ci/run), a throwaway profile and HOME, and every request
// other than the file itself recorded and aborted, so that a page never reaches the network.

import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { makeScratchDir, removeScratchDir } from './scratch.js';

/** Debian's chromium package puts its launcher here. */
export const CHROMIUM = '/usr/bin/chromium';

/** `test-artifacts` at the repository root (ignored by git): screenshots kept for people to look at. */
export const ARTIFACTS_DIR = resolve(import.meta.dirname, '../../test-artifacts');

/** A page open in its own browser; `close()` ends the browser and removes its profile. */
export interface OpenedPage {
  readonly page: Page;
  /** console messages of type error, and uncaught page errors (pageerror), as text */
  readonly consoleErrors: string[];
  /** every request's URL except the page's own file:// URL (data: URLs count too) */
  readonly requests: string[];
  /** Take a full-page PNG screenshot into the test artifacts folder under `name` (e.g. 'report.png'); returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Open `file` in a fresh headless Chromium and wait for its `load` event. Call `close()` in a
 * `finally` (or an `afterAll`): it is safe to call more than once.
 *
 * @param options - viewport size, @default 1200 × 800
 */
export async function openFile(file: string, options: { width?: number; height?: number } = {}): Promise<OpenedPage> {
  const url = pathToFileURL(file).href;
  const dir = makeScratchDir('chromium');
  const home = join(dir, 'home');
  for (const sub of ['config', 'cache']) mkdirSync(join(home, sub), { recursive: true });
  let browser: Browser | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      try {
        await browser?.close();
      } finally {
        const child = browser?.process();
        if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        removeScratchDir(dir);
      }
    })());
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
      userDataDir: join(dir, 'profile'),
      // Chromium writes settings and caches under $HOME and the XDG folders: keep them in `dir`.
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') },
      defaultViewport: { width: options.width ?? 1200, height: options.height ?? 800 },
    });
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      // The answers settle once the page is gone too; a rejection then means nothing to the test.
      if (request.url() === url) void request.continue().catch(() => {});
      else {
        requests.push(request.url());
        void request.abort().catch(() => {});
      }
    });
    await page.goto(url, { waitUntil: 'load' });
    return {
      page,
      consoleErrors,
      requests,
      async screenshot(name) {
        if (name !== basename(name)) throw new Error(`screenshot name must be a file name: ${name}`);
        mkdirSync(ARTIFACTS_DIR, { recursive: true });
        const path = join(ARTIFACTS_DIR, name);
        await page.screenshot({ path, type: 'png', fullPage: true });
        return path;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
