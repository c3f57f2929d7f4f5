// Outcomes are never lost or misreported: across a change of mapping,
// header row or sheet after sending, across a token refused in the middle
// of a lookup and a reload, and across a 100,000-row job kept in IndexedDB.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStep, openApp, startSuite, waitForBaseUrl, setSendSettings, unfold } from './harness.mjs';
import { xlsxFile, xlsxWorkbookFile } from './workbook.mjs';

let sandbox;
let site;
let browser;
let suite;

before(async () => {
  suite = await startSuite({ requestTimeoutSeconds: 5 });
  ({ sandbox, site, browser } = suite);
});

after(async () => {
  await suite?.stop();
});

async function settings(page, batchSize, concurrency) {
  await setSendSettings(page, { batchSize: String(batchSize), concurrency: String(concurrency) });
}

const summary = (page, text) => page.locator('.import__summary').filter({ hasText: text });
const createdRows = (page) => page.locator('[role="rowgroup"] .status--created');

test('after sending, a new mapping keeps the outcomes, and another header row or sheet is read only when the admin agrees, outcomes following their employee ID', async () => {
  const person = (id) => [id, `Nama ${id}`, `${id.toLowerCase()}@example.com`, 'ya', 'catatan'];
  const ids = ['JA0', 'JA1', 'JA2', 'JA3', 'JA4', 'JA5'];
  const file = xlsxWorkbookFile('cabang.xlsx', [
    {
      name: 'Karyawan',
      rows: [['Daftar Karyawan PT Maju Jaya'], [], ['NIK', 'Nama', 'Surel', 'Aktif', 'Catatan'], ...ids.map(person)],
    },
    { name: 'Tambahan', rows: [['NIK', 'Nama', 'Surel', 'Aktif'], person('JA0').slice(0, 4), person('JA1').slice(0, 4), person('JA9').slice(0, 4)] },
  ]);
  const { page, errors } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(file);
  await settings(page, 2, 1);
  await sandbox.faults({ latencyMs: 300 });
  await page.getByRole('button', { name: 'Create 6 users' }).click();

  // While sending, nothing can be chosen, and the page says why.
  await page.locator('.progress__text').waitFor();
  await unfold(page, 'setup');
  assert.ok(await page.locator('select[name="header-row"]').isDisabled());
  assert.ok(await page.locator('select.mapping__select[data-header="NIK"]').isDisabled());
  assert.ok(await page.locator('input[name="mode"]').first().isDisabled());
  await page.getByText('While rows are being sent, the sheet, header row, columns and mode cannot change').waitFor();
  await checkStep(page, 'journal-1-choices-locked');
  await summary(page, 'cabang.xlsx: 6 created.').waitFor({ timeout: 30_000 });
  await sandbox.faults({});
  assert.equal(await page.locator('select[name="header-row"]').isDisabled(), false);

  // Another mapping: the rows are the same rows, their outcomes stay.
  await page.locator('select.mapping__select[data-header="Catatan"]').selectOption('username');
  await summary(page, '6 created.').waitFor();
  assert.equal(await createdRows(page).count(), 6);
  const offered = await page.getByRole('button', { name: /^Create [1-9][\d,]* users?$/ }).allTextContents();
  assert.equal(offered.length, 0, `nothing offered again: ${offered}; ${await page.locator('.import__summary').textContent()}`);

  // Another header row: asked first; "keep" leaves everything as it was.
  const headerRow = page.locator('select[name="header-row"]');
  await headerRow.selectOption('1');
  const question = page.getByRole('alert').filter({ hasText: '6 rows of this file were already sent' });
  await question.waitFor();
  await checkStep(page, 'journal-2-asked');
  await page.getByRole('button', { name: 'Keep as it is' }).click();
  await question.waitFor({ state: 'detached' });
  assert.equal(await headerRow.inputValue(), '3');
  assert.equal(await createdRows(page).count(), 6);

  // Agreed, but the title row is no header: the file stays as it was read.
  await headerRow.selectOption('1');
  await question.waitFor();
  await page.getByRole('button', { name: 'Change it' }).click();
  await page.getByRole('alert').filter({ hasText: 'Row 1 of sheet "Karyawan" is not a header row' }).waitFor();
  assert.equal(await headerRow.inputValue(), '3');
  assert.equal(await createdRows(page).count(), 6);

  // Another sheet with two of the same people and one new: their outcomes
  // follow them, the other four are kept aside, and only the new person
  // is offered.
  await page.locator('select[name="sheet"]').selectOption('Tambahan');
  await page.getByRole('button', { name: 'Change it' }).click();
  await summary(page, 'cabang.xlsx: Create 1 user; 2 created.').waitFor();
  await page.getByRole('status').filter({ hasText: '4 rows sent earlier have no row with their employee ID' }).waitFor();
  await checkStep(page, 'journal-3-other-sheet');
  await page.getByRole('button', { name: 'Create 1 user' }).click();
  await summary(page, 'cabang.xlsx: 3 created.').waitFor();

  // Back to the first sheet: all six outcomes are there again.
  await page.locator('select[name="sheet"]').selectOption('Karyawan');
  await page.getByRole('alert').filter({ hasText: '3 rows of this file were already sent' }).waitFor();
  await page.getByRole('button', { name: 'Change it' }).click();
  await summary(page, 'cabang.xlsx: 6 created.').waitFor();
  assert.equal(await createdRows(page).count(), 6);
  await page.getByRole('status').filter({ hasText: '1 row sent earlier has no row with its employee ID' }).waitFor();

  const state = await sandbox.state();
  for (const id of [...ids, 'JA9']) assert.equal(state.creations[id], 1, `${id} created ${state.creations[id] ?? 0} times`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a token refused in the middle of a lookup, then a reload: the rows are looked up before anything is sent again', async () => {
  const ids = ['JB0', 'JB1', 'JB2', 'JB3', 'JB4', 'JB5'];
  const file = xlsxFile('lookup.xlsx', [
    ['employeeID', 'name', 'email', 'isActive'],
    ...ids.map((id) => [id, `Name ${id}`, `${id.toLowerCase()}@example.com`, true]),
  ]);
  const { page, errors } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(file);
  await settings(page, 2, 1);
  const send = page.getByRole('button', { name: 'Create 6 users' });
  await send.waitFor();
  // The first batch is applied but its answer lost, so its rows are looked
  // up; by then the token is refused.
  await sandbox.faults({ dropAfterApplyRate: 1 });
  await send.click();
  while (!(await sandbox.state()).creations.JB0) await page.waitForTimeout(20);
  await sandbox.faults({ tokenExpiresAfterRequests: 0 });
  await page.getByRole('alert').filter({ hasText: 'access token was refused' }).first().waitFor();
  await checkStep(page, 'journal-4-token-refused-in-lookup');
  await sandbox.faults({});
  const before = await sandbox.state();
  assert.equal(before.creations.JB0, 1, 'the first batch was applied');

  await page.reload();
  await page.getByRole('status').filter({ hasText: 'An unfinished import of lookup.xlsx' }).waitFor();
  await page.locator('input[type="file"]').setInputFiles(file);
  const resume = page.getByRole('button', { name: /^Create \d+ users?$/ });
  await resume.waitFor();
  await resume.click();
  await summary(page, 'lookup.xlsx: 6 created.').waitFor({ timeout: 30_000 });
  assert.equal(await createdRows(page).count(), 6);
  assert.equal(await page.locator('[role="rowgroup"] .status--rejected').count(), 0, 'no row refused as taken');
  const state = await sandbox.state();
  for (const id of ids) assert.equal(state.creations[id], 1, `${id} created ${state.creations[id] ?? 0} times`);
  // The browser logs the dropped connection and the refusals; nothing else.
  assert.deepEqual(errors.filter((e) => !e.startsWith('Failed to load resource')), []);
  await page.close();
});

test('a 100,000-row job is kept in IndexedDB, resumes after a reload, and leaves nothing personal in localStorage', async () => {
  const rows = 100_000;
  const data = [['employeeID', 'name', 'email', 'phone', 'isActive']];
  for (let i = 0; i < rows; i++) data.push([`JC${i}`, `Orang Nomor ${i}`, `jc${i}@example.com`, `62812${String(i).padStart(7, '0')}`, true]);
  const file = xlsxFile('besar.xlsx', data);
  const { page, errors } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(file);
  await settings(page, 500, 4);
  const label = `Create ${rows.toLocaleString('en')} users`;
  await page.getByRole('button', { name: label }).click({ timeout: 120_000 });
  // Reloaded in the middle of the run.
  await summary(page, /[1-9]\d,\d{3} created/).waitFor({ timeout: 300_000 });
  await page.reload();
  const offer = page.getByRole('status').filter({ hasText: 'An unfinished import of besar.xlsx' });
  await offer.waitFor();
  const done = Number((await offer.textContent()).match(/: ([\d,]+) of 100,000 rows done/)[1].replaceAll(',', ''));
  assert.ok(done >= 10_000 && done < rows, `${done} rows done before the reload`);

  const local = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  for (const personal of ['Orang Nomor', 'JC1', '@example.com', '62812']) {
    assert.ok(!local.includes(personal), `localStorage holds "${personal}": ${local.slice(0, 200)}`);
  }
  const kept = await page.evaluate(async () => (await navigator.storage.estimate()).usage);
  const quota = await page.evaluate(async () => (await navigator.storage.estimate()).quota);
  assert.ok(kept < quota / 10, `the journal takes ${kept} of ${quota} bytes`);

  await page.locator('input[type="file"]').setInputFiles(file);
  await summary(page, `${done.toLocaleString('en')} created`).waitFor({ timeout: 120_000 });
  const rest = page.getByRole('button', { name: /^Create [\d,]+ users?$/ });
  await rest.click({ timeout: 120_000 });
  await summary(page, 'besar.xlsx: 100,000 created.').waitFor({ timeout: 300_000 });
  const state = await sandbox.state();
  let once = 0;
  for (let i = 0; i < rows; i++) once += state.creations[`JC${i}`] === 1 ? 1 : 0;
  assert.equal(once, rows, 'every user created exactly once');
  assert.deepEqual(errors, []);
  await page.close();
});
