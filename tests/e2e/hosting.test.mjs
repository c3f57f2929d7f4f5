// Hosting as plain static files: from a sub-path, under the strict CSP of
// index.html, with settings from config.json.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStep, launchBrowser, openApp, serveStatic, startSandbox, waitForBaseUrl } from './harness.mjs';
import { xlsxFile } from './workbook.mjs';

let sandbox;
let site;
let browser;

before(async () => {
  sandbox = await startSandbox();
  site = await serveStatic({
    prefix: '/tools/karyawan/',
    config: { apiBaseUrl: sandbox.url, accessToken: sandbox.token },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await sandbox?.stop();
});

test('served from a sub-path under its CSP, the whole flow works with zero CSP violations', async () => {
  assert.match(site.url, /\/tools\/karyawan\/$/);
  const { page, errors } = await openApp(browser, site.url);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp, /script-src 'self' 'sha256-[^']+' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('sub.xlsx', [['employeeID', 'name', 'email', 'isActive'], ['H1', 'Hana', 'h1@example.com', true]]),
  );
  await page.getByRole('button', { name: 'Create 1 user' }).click();
  await page.getByRole('status').filter({ hasText: 'sub.xlsx: 1 created.' }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download results (.xlsx)' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'sub-results.xlsx');
  await checkStep(page, '7-sub-path');
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(errors, []);
  await page.close();
});
