// The import screen as an admin uses it: a messy workbook, choices of sheet,
// header row, mapping and mode, fixing errors in the grid, the template and
// the language. axe-core checks every step; each step leaves a screenshot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStep, openApp, startSuite, waitForBaseUrl, unfold } from './harness.mjs';
import { readXlsx, xlsxFile, xlsxWorkbookFile } from './workbook.mjs';

let sandbox;
let site;
let browser;
let suite;

before(async () => {
  suite = await startSuite();
  ({ sandbox, site, browser } = suite);
});

after(async () => {
  await suite?.stop();
});

const row = (page, number) => page.locator(`[role="row"][data-row="${number}"]`);
const cell = (page, number, field) => row(page, number).locator(`[data-field="${field}"]`);
const rowNumbers = async (page) =>
  (await page.locator('[role="rowgroup"] [role="row"][data-row]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.row)))).sort(
    (a, b) => a - b,
  );

async function upload(page, file) {
  await page.locator('input[type="file"]').setInputFiles(file);
  await page.getByRole('heading', { name: /Preview|Pratinjau/ }).waitFor();
}

test('a multi-sheet workbook: title rows skipped, Indonesian headers mapped, sheets switchable', async () => {
  const { page, errors } = await openApp(browser, site.url);
  await checkStep(page, '1-start');
  await upload(
    page,
    xlsxWorkbookFile('karyawan.xlsx', [
      { name: 'Petunjuk', rows: [['Isi sheet Karyawan lalu unggah berkas ini.']] },
      {
        name: 'Karyawan',
        rows: [
          ['Daftar Karyawan PT Maju Jaya'],
          [],
          ['NIK', 'Nama Lengkap', 'Surel', 'No. HP', 'Aktif', 'Catatan'],
          ['K001', 'Ani Wijaya', 'ani@example.com', '6281122334455', 'ya', 'baru'],
          ['K002', 'Budi Santoso', 'budi@example.com', '', 'tidak', ''],
        ],
      },
      { name: 'Arsip', hidden: true, rows: [['NIK', 'Nama'], ['K900', 'Lama']] },
    ]),
  );
  await unfold(page, 'setup');
  const sheet = page.locator('select[name="sheet"]');
  assert.deepEqual(await sheet.locator('option').allTextContents(), ['Petunjuk', 'Karyawan', 'Arsip (hidden)']);
  assert.equal(await sheet.inputValue(), 'Karyawan');
  assert.equal(await page.locator('select[name="header-row"]').inputValue(), '3');
  const mapped = async (header) => page.locator(`select.mapping__select[data-header="${header}"]`).inputValue();
  assert.equal(await mapped('NIK'), 'employeeID');
  assert.equal(await mapped('Nama Lengkap'), 'name');
  assert.equal(await mapped('Surel'), 'email');
  assert.equal(await mapped('No. HP'), 'phone');
  assert.equal(await mapped('Aktif'), 'isActive');
  assert.equal(await mapped('Catatan'), '');
  assert.deepEqual(await rowNumbers(page), [4, 5]);
  // The admin's own word, not the API's false.
  assert.equal(await cell(page, 5, 'isActive').textContent(), 'tidak');
  await checkStep(page, '2-setup-and-preview');

  await unfold(page, 'setup');
  await sheet.selectOption('Arsip');
  await row(page, 2).waitFor();
  assert.deepEqual(await rowNumbers(page), [2]);
  assert.equal(await cell(page, 2, 'employeeID').textContent(), 'K900');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a column mapped by hand, an error fixed by editing the cell, the error filter and next error', async () => {
  const { page, errors } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await upload(
    page,
    xlsxFile('kode.xlsx', [
      ['Kode', 'Nama', 'Email', 'Aktif'],
      ['A01', 'Ani', 'ani@example.com', 'TRUE'],
      ['A02', 'Budi', 'budi(at)example.com', 'TRUE'],
      ['A03', 'Citra', 'citra@example.com', 'TRUE'],
      ['A04', 'Dewi', 'dewi@example', 'TRUE'],
    ]),
  );
  // "Kode" is no known header: employeeID has no column yet.
  await page.getByText('Required fields without a column').waitFor();
  await page.locator('select.mapping__select[data-header="Kode"]').selectOption('employeeID');
  await page.getByRole('status').filter({ hasText: 'Create 2 users; 2 rows still have errors.' }).waitFor();
  assert.equal(await page.locator('[role="columnheader"]', { hasText: 'email' }).locator('.grid__error-count').textContent(), '2');

  await page.locator('input[name="row-filter"][value="errors"]').check();
  assert.deepEqual(await rowNumbers(page), [3, 5]);
  await checkStep(page, '3-errors-filtered');

  // Next error puts the keyboard on the first invalid cell; fix it by keyboard alone.
  await page.getByRole('button', { name: 'Next error' }).click();
  const bad = cell(page, 3, 'email');
  await page.waitForFunction(
    () => document.activeElement?.dataset?.field === 'email' && document.activeElement.closest('[data-row="3"]'),
  );
  assert.equal(await bad.getAttribute('aria-invalid'), 'true');
  const described = await bad.getAttribute('aria-describedby');
  assert.match(await page.locator(`[id="${described}"]`).textContent(), /not a valid address/);
  await page.keyboard.press('Enter');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('budi@example.com');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'Create 3 users; 1 row still has errors.' }).waitFor();
  assert.deepEqual(await rowNumbers(page), [5], 'the fixed row leaves the error filter');

  // Leave the last bad row out instead of fixing it.
  await row(page, 5).locator('input[type="checkbox"]').uncheck();
  await page.getByRole('status').filter({ hasText: 'Create 3 users; 1 row excluded.' }).waitFor();
  await page.locator('input[name="row-filter"][value="all"]').check();
  await checkStep(page, '4-fixed-and-excluded');

  await page.getByRole('button', { name: 'Create 3 users' }).click();
  await page.getByRole('status').filter({ hasText: '3 created' }).waitFor();
  const state = await sandbox.state();
  const created = state.users.map((user) => user.employeeID).filter((id) => id.startsWith('A0'));
  assert.deepEqual(created.sort(), ['A01', 'A02', 'A03']);
  assert.equal(state.users.find((user) => user.employeeID === 'A02').email, 'budi@example.com');

  // The next file with the same headers gets the mapping chosen by hand.
  await page.reload();
  await upload(page, xlsxFile('kode-2.xlsx', [['Kode', 'Nama', 'Email', 'Aktif'], ['B01', 'Eka', 'eka@example.com', 'ya']]));
  await unfold(page, 'setup');
  assert.equal(await page.locator('select.mapping__select[data-header="Kode"]').inputValue(), 'employeeID');
  await page.getByRole('status').filter({ hasText: 'Create 1 user.' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a rename column suggests update mode, and the mode can be switched', async () => {
  await sandbox.api('/ruangkerja/users/create-bulk', {
    items: [{ employeeID: 'U1', name: 'Old Name', email: 'u1@example.com', isActive: true }],
  });
  const { page } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await upload(
    page,
    xlsxFile('rename.xlsx', [
      ['NIK', 'NIK Baru', 'Nama', 'Surel', 'Aktif'],
      ['U1', 'U1X', 'New Name', 'ignored@example.com', 'ya'],
    ]),
  );
  await unfold(page, 'setup');
  assert.equal(await page.locator('input[name="mode"][value="update"]').isChecked(), true);
  // The e-mail column is offered as a separate e-mail change, not sent with the update.
  await page.locator('.preflight__counts').filter({ hasText: '1 will change · 1 e-mail change' }).waitFor();
  await checkStep(page, '5-update-mode');

  await unfold(page, 'setup');
  await page.locator('input[name="mode"][value="create"]').check();
  // U1 exists: a create would be refused, so the check holds it back.
  await page.locator('.preflight__counts').filter({ hasText: '1 ID taken' }).waitFor();
  await page.getByRole('button', { name: 'Update this user instead' }).waitFor();
  await page.getByText('Not sent in this mode: newEmployeeID').waitFor();
  await page.locator('input[name="mode"][value="update"]').check();
  await page.getByRole('button', { name: 'Update 1 user' }).click();
  await page.getByRole('status').filter({ hasText: '1 updated' }).waitFor();
  const state = await sandbox.state();
  const renamed = state.users.find((user) => user.employeeID === 'U1X');
  assert.equal(renamed?.name, 'New Name');
  assert.equal(state.users.find((user) => user.employeeID === 'U1'), undefined);
  await page.close();
});

test('the template downloads, reads back through the importer, and follows the language', async () => {
  const { page } = await openApp(browser, site.url);
  // The token is preset: the template lists the company's units and tags.
  await page.locator('.start__lists').filter({ hasText: 'organizations loaded' }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download template' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'ruangkerja-create-users-template.xlsx');
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(path);
  const book = readXlsx(bytes);
  assert.deepEqual(book.sheetNames, ['Employees', 'Rules', 'Organizations', 'Tags']);
  // Headers in words, the required ones marked.
  assert.deepEqual(book.rows('Employees')[0], [
    'employee ID *', 'name *', 'username', 'email', 'phone', 'password', 'active *', 'tags', 'organization',
  ]);
  // The example row says what it is, in a note on its first cell.
  assert.match(book.cell('Employees', 'A2').c[0].t, /Example row: it shows how to fill in a row and is never sent/);
  // Back through the app's own reader: every header maps, and the example
  // row is named as such and never sent.
  await upload(page, { name: 'template.xlsx', mimeType: 'application/octet-stream', buffer: bytes });
  await page.getByRole('status').filter({ hasText: 'template.xlsx: 1 row still has errors.' }).waitFor();
  assert.equal(await cell(page, 2, 'employeeID').locator('.grid__text').textContent(), 'EMP001');
  assert.match(await page.locator('[data-row="2"] .status__reason').textContent(), /the template's example row: it is never sent/);
  assert.equal(await page.locator('.import__note', { hasText: 'Ignored columns' }).count(), 0);

  await page.locator('select[name="language"]').selectOption('id');
  const [indonesian] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Unduh templat' }).click(),
  ]);
  assert.equal(indonesian.suggestedFilename(), 'templat-tambah-pengguna-ruangkerja.xlsx');
  const indonesianBook = readXlsx(await readFile(await indonesian.path()));
  assert.deepEqual(indonesianBook.sheetNames, ['Karyawan', 'Aturan', 'Organisasi', 'Tag']);
  assert.deepEqual(indonesianBook.rows('Karyawan')[0].slice(0, 3), ['ID karyawan *', 'nama *', 'nama pengguna']);
  await page.close();
});

test('the language switches every text, validation messages included, and is remembered', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(site.url);
  await page.getByRole('heading', { name: 'Ruangkerja employee import' }).waitFor();
  await page.locator('select[name="language"]').selectOption('id');
  await page.getByRole('heading', { name: 'Impor karyawan Ruangkerja' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'id');
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('salah.xlsx', [['NIK', 'Nama', 'Surel', 'Aktif'], ['K 1', '', 'x@y.id', 'mungkin']]),
  );
  await page.getByRole('heading', { name: 'Pratinjau' }).waitFor();
  const described = await cell(page, 2, 'employeeID').getAttribute('aria-describedby');
  assert.match(await page.locator(`[id="${described}"]`).textContent(), /hanya boleh berisi huruf A-Z dan angka 0-9/);
  await page.getByRole('button', { name: 'Tambah 0 pengguna' }).waitFor();
  assert.equal(await cell(page, 2, 'isActive').locator('.grid__text').textContent(), 'mungkin', 'what was typed stays visible');
  await checkStep(page, '6-bahasa-indonesia');

  await page.reload();
  await page.getByRole('heading', { name: 'Impor karyawan Ruangkerja' }).waitFor();
  await context.close();
});

test('a password in the sheet is never shown, not even in the header-row picker', async () => {
  const { page, errors } = await openApp(browser, site.url);
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('sandi.xlsx', [
      ['employeeID', 'password', 'name', 'email', 'isActive'],
      ['S1', 'Rahasia123!', 'Ani', 'ani@example.com', 'TRUE'],
      ['S2', 'JanganLihat9', 'Budi', 'budi@example.com', 'TRUE'],
    ]),
  );
  await page.getByRole('heading', { name: 'Preview' }).waitFor();
  await page.locator('[role="row"][data-row="3"]').waitFor();
  await unfold(page, 'setup');
  const options = await page.locator('select option').allTextContents();
  assert.ok(options.some((text) => text.includes('S1 | ••••••')), JSON.stringify(options));
  const body = await page.locator('body').textContent();
  for (const secret of ['Rahasia123!', 'JanganLihat9']) {
    assert.ok(!body.includes(secret), `${secret} is on the page`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});
