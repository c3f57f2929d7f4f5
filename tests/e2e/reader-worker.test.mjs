// The reader runs in a Web Worker: a file it dies on costs only that file.
//
// Every file known to crash the spreadsheet reader is now refused by the
// core's guards, so the death is injected: the test serves the worker a
// script that, for a file (given to the worker as a File) starting with
// CRASH-THE-READER, asks the wasm module for 4 GB, which aborts it exactly
// as exhausted memory does, and for one starting with HANG-THE-READER,
// never returns.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkStep, distDir, openApp, startSuite, waitForBaseUrl } from './harness.mjs';
import { xlsxFile } from './workbook.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(async () => {
  await suite?.stop();
});

const header = ['employeeID', 'name', 'email', 'isActive'];
const dying = {
  name: 'rusak.xlsx',
  mimeType: 'application/octet-stream',
  buffer: Buffer.from('CRASH-THE-READER and then some bytes'),
};

async function injectAbort(page) {
  const loader = await readFile(join(distDir, 'reader_loader.js'), 'utf8');
  const abortOnMarker = `
self.addEventListener('message', (event) => {
  if (!(event.data instanceof Blob)) return;
  const head = new FileReaderSync().readAsArrayBuffer(event.data.slice(0, 16));
  const marker = new TextDecoder().decode(new Uint8Array(head));
  if (marker === 'CRASH-THE-READER') self.readerExports.__wbindgen_malloc(0xfffffff0, 8);
  if (marker === 'HANG-THE-READER,') for (;;);
});`;
  const script = loader.replace('self.readerMemory = exports.memory;', 'self.readerMemory = exports.memory; self.readerExports = exports;') + abortOnMarker;
  assert.notEqual(script, loader + abortOnMarker, 'the loader keeps the exports');
  await page.route('**/reader_loader.js', (route) => route.fulfill({ body: script, contentType: 'text/javascript' }));
}

test('a file the reader dies on gets a clear message; the page, its grid and the next file are fine', async () => {
  const { page, errors } = await openApp(suite.browser, suite.site.url);
  await waitForBaseUrl(page, suite.sandbox.url);
  await injectAbort(page);
  let reloads = 0;
  page.on('framenavigated', () => reloads++);

  await page.locator('input[type="file"]').setInputFiles(xlsxFile('pertama.xlsx', [header, ['A1', 'Ani', 'ani@example.com', 'TRUE']]));
  await page.locator('[role="row"][data-row="2"]').filter({ hasText: 'Ani' }).waitFor();

  await page.locator('input[type="file"]').setInputFiles(dying);
  const alert = page.getByRole('alert').filter({ hasText: 'rusak.xlsx: this file could not be read' });
  await alert.waitFor();
  assert.match(await alert.textContent(), /save it as \.xlsx/);
  // An error looks like one: the error colours, not the plain notice's.
  const colours = await alert.evaluate((element) => {
    const probe = document.createElement('div');
    probe.style.background = 'var(--color-error-surface)';
    document.body.append(probe);
    const expected = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return { actual: getComputedStyle(element).backgroundColor, expected };
  });
  assert.equal(colours.actual, colours.expected);
  // The grid of the file before is still there, and usable.
  assert.match(await page.locator('.import__summary').textContent(), /pertama\.xlsx/);
  await page.locator('[role="row"][data-row="2"]').filter({ hasText: 'Ani' }).waitFor();
  await checkStep(page, 'reader-crashed');

  await page.locator('input[type="file"]').setInputFiles(xlsxFile('kedua.xlsx', [header, ['B1', 'Budi', 'budi@example.com', 'TRUE'], ['B2', 'Citra', 'citra@example.com', 'TRUE']]));
  await page.locator('[role="row"][data-row="3"]').filter({ hasText: 'Citra' }).waitFor();
  assert.equal(await page.getByRole('alert').count(), 0, 'the crash notice goes once a file reads');
  await page.getByRole('button', { name: 'Create 2 users' }).click();
  await page.locator('.import__summary').filter({ hasText: '2 created' }).waitFor();

  assert.equal(reloads, 0, 'the page never reloaded');
  assert.deepEqual(errors, []);
  // One worker holds the file on screen, one waits for the next: the dead
  // one and the first file's are gone.
  assert.ok(page.workers().length <= 2, `${page.workers().length} workers alive`);
  await page.close();
});

test('a big file shows its first rows while the rest is read', async () => {
  const { page, errors } = await openApp(suite.browser, suite.site.url);
  await waitForBaseUrl(page, suite.sandbox.url);
  const rows = [header];
  for (let i = 1; i <= 60_000; i++) rows.push([`E${i}`, `Karyawan ${i}`, `k${i}@example.com`, 'TRUE']);
  // Whether a data row was on screen while the progress bar still was.
  await page.evaluate(() => {
    window.__rowsWhileReading = false;
    new MutationObserver(() => {
      if (document.querySelector('.read-progress') && document.querySelector('[role="row"][data-row="2"]')) {
        window.__rowsWhileReading = true;
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('besar.xlsx', rows));
  await page.getByRole('button', { name: 'Create 60,000 users' }).waitFor({ timeout: 60_000 });
  assert.equal(await page.evaluate(() => window.__rowsWhileReading), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a file the reader hangs on can be stopped, and what was there before comes back', async () => {
  const { page, errors } = await openApp(suite.browser, suite.site.url);
  await waitForBaseUrl(page, suite.sandbox.url);
  await injectAbort(page);
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('kecil.xlsx', [header, ['K1', 'Kiki', 'kiki@example.com', 'TRUE']]));
  await page.locator('[role="row"][data-row="2"]').filter({ hasText: 'Kiki' }).waitFor();

  await page.locator('input[type="file"]').setInputFiles({ ...dying, name: 'macet.xlsx', buffer: Buffer.from('HANG-THE-READER, forever') });
  const progress = page.locator('.read-progress');
  await progress.filter({ hasText: 'Reading macet.xlsx' }).waitFor();
  await checkStep(page, 'reader-hangs');
  await progress.getByRole('button', { name: 'Stop reading' }).click();
  await progress.waitFor({ state: 'detached' });
  await page.locator('[role="row"][data-row="2"]').filter({ hasText: 'Kiki' }).waitFor();
  assert.match(await page.locator('.import__summary').textContent(), /kecil\.xlsx/);
  // The next file reads as usual.
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('lagi.xlsx', [header, ['L1', 'Lina', 'lina@example.com', 'TRUE']]));
  await page.locator('[role="row"][data-row="2"]').filter({ hasText: 'Lina' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a page left idle renders its review once, unseen, over made-up rows, and leaves nothing behind', async () => {
  const context = await suite.browser.newContext({ viewport: { width: 1366, height: 768 } });
  // Each rehearsal the page puts into the document, as it does: whether
  // it is still there when scripts can look, and the rows of the page it
  // held (unmounted from it in the same task, so told as removed from it).
  await context.addInitScript(() => {
    window.__rehearsals = [];
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.target.classList?.contains('rehearsal')) {
          const seen = window.__rehearsals.at(-1);
          for (const node of record.removedNodes) {
            const rows = node.querySelectorAll?.('[role="row"][data-row]') ?? [];
            seen.rows += rows.length;
            seen.text += [...rows].map((row) => row.textContent).join(' ');
          }
        }
        for (const node of record.addedNodes) {
          if (node.classList?.contains('rehearsal')) {
            window.__rehearsals.push({ rows: 0, text: '', connected: node.isConnected });
          }
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const { page, errors } = await openApp(context, suite.site.url);
  const configLoads = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/config.json')) configLoads.push(request.url());
  });
  await waitForBaseUrl(page, suite.sandbox.url);
  const storage = () => page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }]));
  const stored = await storage();

  await page.waitForFunction(() => window.__rehearsals.length > 0, null, { timeout: 15_000 });
  const [rehearsal] = await page.evaluate(() => window.__rehearsals);
  // The grid was built over the spare reader's made-up rows, and was gone
  // from the document by the time anything but the page could look.
  assert.ok(rehearsal.rows >= 10, `the rehearsal built ${rehearsal.rows} rows`);
  assert.match(rehearsal.text, /W000001\s*Karyawan 1\D/);
  assert.equal(rehearsal.connected, false);
  assert.equal(await page.locator('.rehearsal, [role="grid"]').count(), 0);
  // Its state is its own: it loaded nothing, stored nothing.
  assert.deepEqual(configLoads, []);
  assert.equal(await storage(), stored);

  // The admin's file reads as ever, into the one grid; the spare readers
  // started after it give the page no second rehearsal.
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('sesudah.xlsx', [header, ['S1', 'Sari', 'sari@example.com', 'TRUE']]));
  await page.locator('[role="row"][data-row="2"]').filter({ hasText: 'Sari' }).waitFor();
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('lagi.xlsx', [header, ['L1', 'Lina', 'lina@example.com', 'TRUE']]));
  await page.locator('[role="row"][data-row="2"]').filter({ hasText: 'Lina' }).waitFor();
  await page.waitForTimeout(1_500);
  assert.equal(await page.locator('[role="grid"]').count(), 1);
  assert.equal(await page.evaluate(() => window.__rehearsals.length), 1);
  assert.deepEqual(errors, []);
  await context.close();
});
