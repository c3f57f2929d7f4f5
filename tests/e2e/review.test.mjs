// A first-time admin's review, at 1366x768 in Bahasa Indonesia: a sheet of
// 200 employees as HR keeps it (NIK, Nama Karyawan, Email Kantor, No. HP in
// every local way of writing it, Aktif / Tidak aktif, Divisi, and columns
// the API has no field for), with a repeated NIK and e-mail domains typed
// with a comma. Every reason is readable without hovering, the phone
// numbers are fixed with one click, the rest by keyboard alone, nothing is
// sent without a token, and all 200 users are created.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStep, openApp, serveStatic, startSandbox, launchBrowser, waitForBaseUrl, unfold } from './harness.mjs';
import { xlsxFile } from './workbook.mjs';
import { assertIndonesian } from './indonesian.mjs';

let sandbox;
let site;
let browser;

before(async () => {
  sandbox = await startSandbox();
  // No token preset: the admin pastes one, as a first-time admin does.
  site = await serveStatic({ config: { apiBaseUrl: sandbox.url } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await sandbox?.stop();
});

const DIVISIONS = ['Human Resources', 'Information Technology', 'Sales'];
// The ways HR sheets write Indonesian mobile numbers.
const phone = (i) => {
  const tail = String(1000 + i).padStart(4, '0');
  return [`0812-3456-${tail}`, `0813 8522 ${tail}`, `+62 812 5880 ${tail}`, `62812777${tail}`, `(0815) 2211-${tail}`][i % 5];
};

function sheet() {
  const rows = [['NIK', 'Nama Karyawan', 'Email Kantor', 'No. HP', 'Status Aktif', 'Divisi', 'Jabatan', 'Tgl Masuk']];
  for (let i = 1; i <= 200; i++) {
    rows.push([
      `K${1000 + i}`,
      `Karyawan ${i}`,
      // Three domains typed with a comma: a typo that hides in an ellipsis.
      i % 70 === 0 ? `k${i}@contoh,co.id` : `k${i}@contoh.co.id`,
      phone(i),
      i % 9 === 0 ? 'Tidak aktif' : 'Aktif',
      DIVISIONS[i % 3],
      'Staf',
      `2024-01-${String(1 + (i % 28)).padStart(2, '0')}`,
    ]);
  }
  rows[40][0] = rows[12][0]; // row 41 repeats row 13's NIK
  return rows;
}

const row = (page, number) => page.locator(`[role="row"][data-row="${number}"]`);
const cell = (page, number, field) => row(page, number).locator(`[data-field="${field}"]`);
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  return el?.dataset?.field ? `${el.closest('[role="row"]')?.dataset.row}:${el.dataset.field}` : el?.tagName;
});

test('a 200-row Indonesian sheet: reasons in view, phones fixed in one click, the rest by keyboard, no send without a token, all created', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const { page, errors } = await openApp(context, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('select[name="language"]').selectOption('id');
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('karyawan.xlsx', sheet()));
  await row(page, 2).waitFor();
  await page.locator('.import__summary').filter({ hasText: 'karyawan.xlsx' }).waitFor();

  // The admin's own columns: the clearer "Status Aktif", "Email Kantor",
  // shown as the grid's headers above the API field they feed.
  await unfold(page, 'setup');
  assert.equal(await page.locator('select.mapping__select[data-header="Email Kantor"]').inputValue(), 'email');
  assert.equal(await page.locator('select.mapping__select[data-header="Status Aktif"]').inputValue(), 'isActive');
  await page.locator('.fold--setup > summary').click();
  const header = page.locator('[role="columnheader"]', { hasText: 'No. HP' });
  assert.match(await header.textContent(), /No\. HP\s*phone/);
  // Values as the admin wrote them, not the API's true and false.
  assert.equal(await cell(page, 10, 'isActive').textContent(), 'Tidak aktif');
  assert.equal(await cell(page, 2, 'isActive').textContent(), 'Aktif');

  // Without a token: the button says why it cannot send, beside it.
  const send = page.locator('.send .button--primary');
  assert.ok(await send.isDisabled());
  assert.match(await page.locator('#send-blocked').textContent(), /Isi token akses/);
  await checkStep(page, 'review-0-no-token');
  await assertIndonesian(page, 'review-0-no-token');

  // A token, pasted where the reason said: the company's units load and
  // the Divisi names resolve.
  await page.locator('input[name="access-token"]').fill(sandbox.token);
  await page.locator('#send-blocked').waitFor({ state: 'detached' });
  await page.locator('.start__lists').filter({ hasText: 'organisasi dimuat' }).waitFor({ timeout: 15_000 });
  await page.locator('.grid__cell--error[data-field="organizationSerial"]').first().waitFor({ state: 'detached' });
  // The connection, opened because it lacked a token, folded away again.
  await page.locator('.fold--connection > summary').click();
  assert.match(await page.locator('.fold--connection > summary').innerText(), /^Koneksi: token akses sudah diisi/);
  assert.match(await page.locator('.fold--setup > summary').innerText(),
    /^karyawan\.xlsx · Lembar kerja "Employees" · Baris nama kolom 1 · Tambah pengguna baru · 2 kolom diabaikan$/);

  // The review fills the window and no more: the grid and the bar with
  // the counts and the button, and the page itself does not scroll.
  assert.ok(await page.evaluate(() => document.scrollingElement.scrollHeight <= window.innerHeight), 'the page does not scroll');
  const inView = async (selector) => page.locator(selector).first().evaluate((el) => {
    const box = el.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  });
  assert.ok(await inView('.review-bar'), 'the bar is in view');
  assert.ok(await inView('[role="row"][data-row="2"]'), 'the first rows are in view');
  await checkStep(page, 'review-1-read');
  await assertIndonesian(page, 'review-1-read');

  // Every error's reason is in words in its row, without hovering.
  await page.locator('input[name="row-filter"][value="errors"]').check();
  const reason = (number) => row(page, number).locator('.status__reason');
  assert.match(await reason(13).innerText(), /^NIK /);
  assert.match(await reason(13).innerText(), /juga dipakai di baris 41/);
  assert.match(await reason(71).innerText(), /^Email Kantor tidak valid/, 'named by the admin\'s own header');
  assert.match(await reason(141).innerText(), /^Email Kantor tidak valid/);
  for (const number of [13, 41, 71, 141]) assert.ok(await inView(`[data-row="${number}"] .status__reason`));
  await checkStep(page, 'review-2-reasons');
  await assertIndonesian(page, 'review-2-reasons');
  await page.locator('input[name="row-filter"][value="all"]').check();

  // Local numbers: one click for the whole column.
  const fix = page.getByRole('button', { name: /No\. HP: pakai nilai usulan di semua \d+ sel/ });
  const proposals = Number((await fix.textContent()).match(/semua (\d+) sel/)[1]);
  assert.ok(proposals >= 80, `${proposals} local numbers proposed`);
  await fix.click();
  await fix.waitFor({ state: 'detached' });
  await page.locator('.grid__cell--warning[data-field="phone"]').first().waitFor({ state: 'detached' });
  assert.equal(await cell(page, 2, 'phone').locator('.grid__text').textContent(), '6281385221001');
  await checkStep(page, 'review-3-phones-fixed');
  await assertIndonesian(page, 'review-3-phones-fixed');

  // The remaining errors, by keyboard alone: Next error, type, Enter — and
  // Enter goes on to the next error each time.
  await page.getByRole('button', { name: 'Kesalahan berikutnya' }).focus();
  await page.keyboard.press('Enter');
  const fixes = [
    ['13:employeeID', null], // the first of the repeated pair keeps its NIK
    ['41:employeeID', 'K1040'],
    ['71:email', 'k70@contoh.co.id'],
    ['141:email', 'k140@contoh.co.id'],
  ];
  for (const [at, value] of fixes) {
    await page.waitForFunction((want) => {
      const el = document.activeElement;
      return el?.dataset?.field && `${el.closest('[role="row"]')?.dataset.row}:${el.dataset.field}` === want;
    }, at);
    if (at === '13:employeeID') {
      // Not this one: an arrow moves on, as in a spreadsheet.
      await page.keyboard.press('ArrowDown');
      assert.equal(await focused(page), '14:employeeID');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowRight');
      assert.equal(await focused(page), '13:name');
      await page.keyboard.press('ArrowLeft');
      // Enter opens the cell, Enter again keeps it and goes on.
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      continue;
    }
    // Typing replaces the cell; Enter saves and goes on.
    await page.keyboard.type(value);
    await page.keyboard.press('Enter');
  }
  // The bar above the grid explains the cell in focus.
  await page.keyboard.press('ArrowUp');
  assert.match(await page.locator('.cell-bar').innerText(), /Baris \d+ · Email Kantor/);
  await page.locator('.import__summary').filter({ hasText: 'Tambah 200 pengguna' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('.grid__cell--error').count(), 0);
  // Right of the last field, the row's "include" box: reached with the
  // arrows, toggled with Space, and never a Tab stop of its own.
  const inBox = () => page.evaluate(() => {
    const el = document.activeElement;
    return el?.type === 'checkbox' ? el.closest('[role="row"]').dataset.row : null;
  });
  // (Once every edit is judged: a row drawn again meanwhile takes its
  // focused cell back a frame later, which a key pressed in between misses.)
  for (let i = 0; i < 8 && !(await inBox()); i++) {
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.activeElement !== document.body);
  }
  const boxRow = await inBox();
  assert.ok(boxRow, 'the arrows reach the include box');
  await page.keyboard.press('Space');
  await page.locator(`.grid__row--excluded[data-row="${boxRow}"]`).waitFor();
  // The box keeps the keyboard after its row is drawn again.
  const boxFocused = () => page.waitForFunction((want) => {
    const el = document.activeElement;
    return el?.type === 'checkbox' && el.closest('[role="row"]').dataset.row === want;
  }, boxRow, { timeout: 5_000 });
  await boxFocused();
  await page.keyboard.press('Space');
  await page.locator(`.grid__row--excluded[data-row="${boxRow}"]`).waitFor({ state: 'detached' });
  await boxFocused();
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((want) => document.activeElement?.dataset?.field === want, 'organizationSerial');
  assert.equal(await focused(page), `${boxRow}:organizationSerial`);
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => !document.activeElement.closest('.grid')), 'one Tab leaves the grid');
  await checkStep(page, 'review-4-fixed-by-keyboard');
  await assertIndonesian(page, 'review-4-fixed-by-keyboard');

  await page.getByRole('button', { name: 'Tambah 200 pengguna' }).click();
  await page.locator('.import__summary').filter({ hasText: '200 dibuat' }).waitFor({ timeout: 60_000 });
  await checkStep(page, 'review-5-created');
  await assertIndonesian(page, 'review-5-created');
  const users = Object.fromEntries((await sandbox.state()).users.map((u) => [u.employeeID, u]));
  assert.equal(users.K1001.phone, '6281385221001', 'a local number, sent as proposed');
  assert.equal(users.K1002.phone, '6281258801002', '+62 with spaces, tidied');
  assert.equal(users.K1004.phone, '6281522111004', '(0815) 2211-…, tidied and proposed');
  assert.equal(users.K1005.phone, '6281234561005', '0812-3456-…, tidied and proposed');
  assert.equal(users.K1040.name, 'Karyawan 40');
  assert.equal(users.K1070.email, 'k70@contoh.co.id');
  assert.equal(users.K1009.isActive, false);
  assert.equal(Object.keys(users).filter((id) => id.startsWith('K')).length, 200);
  assert.deepEqual(errors, []);
  await context.close();
});

test('mapping shows what each column holds, and warns when a column mostly does not fit the field it feeds', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const { page, errors } = await openApp(context, site.url);
  await waitForBaseUrl(page, sandbox.url);
  // "Status" here is the kind of contract, not active or not.
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('kontrak.xlsx', [
    ['NIK', 'Nama', 'Email', 'Status'],
    ['S1', 'Ani', 's1@contoh.co.id', 'Tetap'],
    ['S2', 'Budi', 's2@contoh.co.id', 'Kontrak'],
    ['S3', 'Citra', 's3@contoh.co.id', 'Tetap'],
    ['S4', 'Dewi', 's4@contoh.co.id', 'Magang'],
  ]));
  await row(page, 5).waitFor();
  await unfold(page, 'setup');
  const sample = (header) => page.locator(`select.mapping__select[data-header="${header}"] + .mapping__sample`);
  assert.equal(await sample('Status').textContent(), 'Tetap · Kontrak · Magang');
  assert.equal(await sample('Nama').textContent(), 'Ani · Budi · Citra');
  const warning = page.locator('.setup__warning').filter({ hasText: '"Status" → active: 4 of 4 values do not fit this field' });
  await warning.waitFor();
  await checkStep(page, 'review-6-misfit');
  // Ignored, the column no longer feeds the field, which is now missing.
  await page.locator('select.mapping__select[data-header="Status"]').selectOption('');
  await warning.waitFor({ state: 'detached' });
  await page.locator('.setup__warning').filter({ hasText: 'Required fields without a column' }).filter({ hasText: /: active$/ }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
