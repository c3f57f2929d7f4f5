// Every screen of the app in Bahasa Indonesia, walked as an Indonesian
// admin meets them, beyond the review journey (review.test.mjs): the
// connection with its sign-in and address open, a file that is no
// spreadsheet, a workbook's password asked and refused, a mapping that
// lacks a field and holds a column that does not fit, names to choose,
// the check finding an ID taken, a send through rate limits with a refusal,
// the finished run with its results, the question before re-reading a sent
// file, and a token refused. At each, no English of the shell or the core
// and no API field name outside the places that name the API on purpose
// (tests/e2e/indonesian.mjs), and no axe violation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkStep, openApp, repoRoot, setSendSettings, startSuite, unfold, waitForBaseUrl } from './harness.mjs';
import { assertIndonesian } from './indonesian.mjs';
import { xlsxFile } from './workbook.mjs';

let suite;

before(async () => {
  suite = await startSuite();
});

after(async () => {
  await suite?.stop();
});

async function step(page, name) {
  await checkStep(page, name);
  await assertIndonesian(page, name);
}

test('every screen in Bahasa Indonesia shows no English and no API field name outside its place', async () => {
  const { sandbox } = suite;
  const { page, errors } = await openApp(suite.browser, suite.site.url);
  await page.setViewportSize({ width: 1366, height: 768 });
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('select[name="language"]').selectOption('id');

  // The start, with every part of the connection open.
  await page.locator('details.connection__sign-in > summary').click();
  await page.locator('details.connection__advanced > summary').click();
  await page.locator('.start__lists').filter({ hasText: 'dimuat' }).waitFor({ timeout: 15_000 });
  await step(page, 'id-1-start');

  // A file that is no spreadsheet.
  await page.locator('input[type="file"]').setInputFiles({
    name: 'catatan.xlsx', mimeType: 'application/octet-stream', buffer: Buffer.from('ini bukan spreadsheet'),
  });
  await page.getByRole('alert').first().waitFor();
  await step(page, 'id-2-not-a-spreadsheet');

  // A workbook with a password: asked, and a wrong one refused.
  const locked = await readFile(join(repoRoot, 'crates/employee-import/tests/fixtures/encrypted/password-Rahasia-2026.xlsx'));
  await page.locator('input[type="file"]').setInputFiles({ name: 'rahasia.xlsx', mimeType: 'application/octet-stream', buffer: locked });
  const password = page.getByLabel('Kata sandi workbook');
  await password.fill('salah');
  await page.getByRole('button', { name: 'Buka', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'Kata sandi itu tidak membuka workbook ini' }).waitFor();
  await step(page, 'id-3-password');
  await page.getByRole('button', { name: 'Batal', exact: true }).click();
  await password.waitFor({ state: 'detached' });

  // A sheet without an ID column whose "Status" holds contract types: the
  // choices open by themselves, with both warnings.
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('status.xlsx', [
    ['Nama', 'Status', 'Surel'],
    ...Array.from({ length: 6 }, (_, i) => [`Orang ${i}`, i % 2 ? 'Tetap' : 'Kontrak', `orang${i}@contoh.co.id`]),
  ]));
  await page.locator('.setup__warning').first().waitFor();
  assert.ok(await page.locator('details.fold--setup').evaluate((fold) => fold.open), 'the choices open when they need the admin');
  await step(page, 'id-4-mapping-needs-you');

  // The main file. ID1 is taken in Ruangkerja by someone else, ID6 names
  // a tag Ruangkerja does not have, and ID5 is taken after the check.
  await sandbox.api('/ruangkerja/users/create-bulk', {
    items: [{ employeeID: 'ID1', name: 'Orang Lain', email: 'lain@contoh.co.id', isActive: true }],
  });
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('karyawan.xlsx', [
    ['NIK', 'Nama', 'Email', 'No. HP', 'Aktif', 'Tag'],
    ['ID1', 'Ani', 'ani@contoh.co.id', '081234567801', 'ya', ''],
    ['ID2', 'Budi', 'budi@contoh.co.id', '081234567802', 'ya', ''],
    ['ID3', 'Cici', 'cici@contoh.co.id', '081234567803', 'tidak', ''],
    ['ID4', 'Dodi', 'dodi@contoh.co.id', '081234567804', 'ya', ''],
    ['ID5', 'Eka', 'eka@contoh.co.id', '081234567805', 'ya', ''],
    ['ID6', 'Fajar', 'fajar@contoh.co.id', '081234567806', 'ya', 'Tim Tak Dikenal'],
  ]));
  await page.locator('[role="row"][data-row="7"]').waitFor();
  await page.locator('.names').filter({ hasText: 'Tim Tak Dikenal' }).waitFor({ timeout: 15_000 });
  await page.locator('.preflight__counts').filter({ hasText: 'ID' }).waitFor({ timeout: 15_000 });
  await step(page, 'id-5-names-and-check');

  // Fajar's tag is left for later; the taken ID is not updated instead.
  await page.locator('[role="row"][data-row="7"] .grid__toggle input').uncheck();
  await setSendSettings(page, { batchSize: '1', concurrency: '1' });
  await sandbox.api('/ruangkerja/users/create-bulk', {
    items: [{ employeeID: 'ID5', name: 'Eka Lain', email: 'eka.lain@contoh.co.id', isActive: true }],
  });
  await sandbox.faults({ rateLimitRate: 1, retryAfterSeconds: 2 });
  await page.getByRole('button', { name: /^Tambah \d+ pengguna$/ }).click();
  await page.locator('.progress__status').filter({ hasText: '429' }).waitFor({ timeout: 30_000 });
  await step(page, 'id-6-sending-rate-limited');
  await sandbox.faults({});
  await page.locator('.send__done').waitFor({ timeout: 60_000 });
  await page.locator('[role="row"][data-row="6"] .status--rejected').waitFor();
  await step(page, 'id-7-done');

  // Another header row after sending: asked first.
  await unfold(page, 'setup');
  await page.locator('select[name="header-row"]').selectOption('2');
  await page.getByRole('button', { name: 'Biarkan' }).waitFor();
  await step(page, 'id-8-reread-question');
  await page.getByRole('button', { name: 'Biarkan' }).click();

  // A token refused: the connection opens again, saying so.
  await unfold(page, 'connection');
  await page.locator('input[name="access-token"]').fill('token-yang-salah');
  await page.getByRole('button', { name: 'Muat ulang' }).click();
  await page.locator('.start__lists').filter({ hasText: 'ditolak' }).waitFor({ timeout: 15_000 });
  await step(page, 'id-9-token-refused');

  assert.deepEqual(errors.filter((e) => !/status of (401|403|429)/.test(e)), []);
  await page.close();
});
