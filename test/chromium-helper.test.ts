// test/helpers/chromium.ts against Debian's real chromium: a local page opens with its DOM ready to
// query, console errors and uncaught errors are collected as text, any request other than the file is
// recorded and aborted (never reaches the network), and screenshots land in test-artifacts as PNG.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ARTIFACTS_DIR, CHROMIUM, openFile } from './helpers/chromium.js';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';

let dir: string;

beforeAll(() => {
  dir = makeScratchDir('chromium-helper');
});

afterAll(() => {
  if (dir) removeScratchDir(dir);
});

function writePage(name: string, html: string): string {
  const file = join(dir, name);
  writeFileSync(file, html);
  return file;
}

it('opens a local page with an inline svg and a table, quiet and offline, and screenshots it as PNG', async () => {
  expect(CHROMIUM).toBe('/usr/bin/chromium');
  const file = writePage(
    'quiet.html',
    `<!doctype html>
<html><head><meta charset="utf-8"><title>Quiet page</title></head>
<body>
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="teal"/></svg>
<table><tr><th>host</th></tr><tr><td>web1</td></tr><tr><td>web2</td></tr></table>
</body></html>
`,
  );
  const opened = await openFile(file, { width: 640, height: 480 });
  try {
    expect(await opened.page.title()).toBe('Quiet page');
    expect(await opened.page.$$eval('table tr', (rows) => rows.length)).toBe(3);
    expect(await opened.page.$$eval('svg rect', (rects) => rects.map((r) => r.getAttribute('fill')))).toEqual(['teal']);
    expect(opened.page.viewport()).toEqual({ width: 640, height: 480 });
    const png = await opened.screenshot('chromium-helper.png');
    expect(png).toBe(join(ARTIFACTS_DIR, 'chromium-helper.png'));
    expect(dirname(png)).toBe(ARTIFACTS_DIR);
    expect([...readFileSync(png).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await expect(opened.screenshot('../escape.png')).rejects.toThrow(
      'screenshot name must be a file name: ../escape.png',
    );
    expect(opened.consoleErrors).toEqual([]);
    expect(opened.requests).toEqual([]);
  } finally {
    await opened.close();
  }
  expect(opened.page.browser().connected).toBe(false);
  await opened.close(); // a second close is harmless
});

it("records console.error and a network image's URL, aborted before it leaves the machine", async () => {
  const file = writePage(
    'noisy.html',
    `<!doctype html>
<html><head><meta charset="utf-8"><title>Noisy page</title></head>
<body>
<script>console.error('boom');</script>
<img src="http://127.0.0.1:9/x.png" alt="">
</body></html>
`,
  );
  const opened = await openFile(file);
  try {
    expect(await opened.page.title()).toBe('Noisy page');
    // The aborted image shows in the console as Chromium's own error line for a failed load; the
    // preload scanner may start the image before the script runs, so the two come in either order.
    expect([...opened.consoleErrors].sort()).toEqual(['Failed to load resource: net::ERR_FAILED', 'boom']);
    expect(opened.requests).toEqual(['http://127.0.0.1:9/x.png']);
  } finally {
    await opened.close();
  }
});

it('records uncaught errors as text and data: URLs the page loads', async () => {
  const file = writePage(
    'throws.html',
    `<!doctype html>
<html><head><meta charset="utf-8"><title>Throwing page</title>
<link rel="stylesheet" href="data:text/css,body{color:red}">
</head>
<body>
<script>throw new Error('bad');</script>
<script>null.x;</script>
</body></html>
`,
  );
  const opened = await openFile(file);
  try {
    expect(opened.consoleErrors).toEqual(['Error: bad', "TypeError: Cannot read properties of null (reading 'x')"]);
    expect(opened.requests).toEqual(['data:text/css,body{color:red}']);
  } finally {
    await opened.close();
  }
});
