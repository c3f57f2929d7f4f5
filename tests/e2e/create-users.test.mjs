// The walking skeleton as a user drives it: drop an .xlsx, create the users,
// see each row's serial or error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStep, openApp, serveStatic, startSuite, waitForBaseUrl, unfold } from './harness.mjs';
import { readXlsx, xlsxFile } from './workbook.mjs';

const HEADER = ['employeeID', 'name', 'username', 'email', 'phone', 'isActive', 'tagSerials'];

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

function row(page, number) {
  return page.locator(`[role="row"][data-row="${number}"]`);
}

test('each uploaded row shows the serial the sandbox gave it, and a taken employee ID shows 10101', async () => {
  const { page, errors } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('employees.xlsx', [
      HEADER,
      ['E1', 'Ani Wijaya', 'ani', 'ani@example.com', '', true, 'RUKRTAG-9WHL0JGP'],
      // A numeric employee ID and phone must arrive as their exact digits.
      [1001, 'Budi Santoso', '', '', 6281122334455, 'ya', ''],
      ['E100', 'Citra Lestari', '', 'citra@example.com', '', 'TRUE', ''],
    ]),
  );
  await assert.doesNotReject(row(page, 4).waitFor());
  assert.equal(await row(page, 3).locator('[data-field="employeeID"]').textContent(), '1001');
  await page.locator('.preflight__counts').filter({ hasText: '3 new' }).waitFor();
  // Someone creates E100 after the check saw it free: the API refuses the
  // sheet's row with 10101, which the page shows as the API said it.
  const meanwhile = await sandbox.api('/ruangkerja/users/create-bulk', {
    items: [{ employeeID: 'E100', name: 'Already Here', email: 'here@example.com', isActive: true }],
  });
  assert.equal(meanwhile.data.successItems.length, 1);

  await page.getByRole('button', { name: 'Create 3 users' }).click();
  await page.getByRole('status').filter({ hasText: '2 created; 1 rejected' }).waitFor();

  const state = await sandbox.state();
  const serialOf = (id) => state.users.find((user) => user.employeeID === id)?.serial;
  for (const [number, id] of [[2, 'E1'], [3, '1001']]) {
    assert.ok(serialOf(id), `the sandbox has no user ${id}`);
    assert.equal(await row(page, number).locator('.status__serial').textContent(), serialOf(id));
  }
  const budi = state.users.find((user) => user.employeeID === '1001');
  assert.equal(budi.phone, '6281122334455');
  assert.equal(budi.isActive, true);

  const rejected = row(page, 4).locator('.rows__status');
  assert.equal(await rejected.locator('.status__code').textContent(), '10101');
  assert.equal(await rejected.locator('.status__message').textContent(), 'USER_EMPLOYEE_ID_EXISTS');
  assert.equal(await rejected.locator('.status__detail').textContent(), 'employee id already been taken');
  assert.equal(state.creations.E100, 1, 'E100 must not be created a second time');
  // A known code leads with a plain explanation, the API's own words in
  // small print, and the cell at fault is marked.
  assert.match(await rejected.locator('.status__reason').textContent(), /^A user with this employee ID already exists in Ruangkerja/);
  assert.match(await rejected.locator('.status__api').textContent(), /^Ruangkerja: 10101 USER_EMPLOYEE_ID_EXISTS · employee id already been taken$/);
  assert.ok(await row(page, 4).locator('[data-field="employeeID"]').evaluate((el) => el.classList.contains('grid__cell--error')));
  assert.equal(await row(page, 4).locator('[data-field="email"]').evaluate((el) => el.classList.contains('grid__cell--error')), false);

  // Filters by outcome.
  await page.locator('input[name="row-filter"][value="done"]').check();
  assert.deepEqual(await page.locator('[role="rowgroup"] [role="row"][data-row]').evaluateAll((rows) => rows.map((r) => r.dataset.row)), ['2', '3']);
  await page.locator('input[name="row-filter"][value="notdone"]').check();
  assert.deepEqual(await page.locator('[role="rowgroup"] [role="row"][data-row]').evaluateAll((rows) => rows.map((r) => r.dataset.row)), ['4']);
  await page.locator('input[name="row-filter"][value="all"]').check();

  // Copy all serials.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(site.url).origin });
  await page.getByRole('button', { name: 'Copy all serials' }).click();
  await page.getByRole('status').filter({ hasText: 'Serials copied to the clipboard. (2)' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), [serialOf('E1'), serialOf('1001')].join('\n'));
  assert.deepEqual(errors, []);
  await page.screenshot({ path: 'screenshots/created.png', fullPage: true });
  await page.close();
});

test('a file that is not a spreadsheet gets a clear message, not a blank page', async () => {
  const { page } = await openApp(browser, site.url);
  await page.locator('input[type="file"]').setInputFiles({
    name: 'photo.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'),
  });
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /photo\.xlsx: This file is not a spreadsheet/);
  await page.close();
});

test('a sheet without a header row is refused, naming the sheet', async () => {
  const { page } = await openApp(browser, site.url);
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('no-header.xlsx', [['E1', 'Ani', 'ani@example.com', true]]),
  );
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /No header row found in sheet "Employees"/);
  await page.close();
});

test('a CSV with Indonesian headers under a title row is read and created', async () => {
  const { page } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  const csv = '\ufeffDaftar Karyawan\r\nNIK;Nama Lengkap;Surel;Aktif\r\nK001;Eko Prasetyo;eko@example.com;ya\r\n';
  await page.locator('input[type="file"]').setInputFiles({
    name: 'karyawan.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });
  await row(page, 3).waitFor();
  await page.getByRole('button', { name: 'Create 1 user' }).click();
  await page.getByRole('status').filter({ hasText: '1 created' }).waitFor();
  const state = await sandbox.state();
  const eko = state.users.find((user) => user.employeeID === 'K001');
  assert.equal(eko.name, 'Eko Prasetyo');
  assert.equal(await row(page, 3).locator('.status__serial').textContent(), eko.serial);
  await page.close();
});

test('a sandbox that is down is reported, retried, and the rows can be sent once it is back', async () => {
  const { page } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  // Point the app at a port where nothing listens.
  const closed = await serveStatic();
  const deadUrl = closed.url.replace(/\/$/, '');
  await closed.close();
  // Where requests go is under "Advanced".
  await page.locator('details.connection__advanced summary').click();
  await page.locator('input[name="api-base-url"]').fill(deadUrl);
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('one.xlsx', [HEADER, ['E7', 'Dewi', '', 'dewi@example.com', '', true, '']]),
  );
  // The check before sending cannot reach the API: it says so, and
  // nothing can be sent while the row is not checked.
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /Could not reach the API at http:\/\/127\.0\.0\.1:\d+/);
  assert.equal(await page.getByRole('button', { name: 'Check 1 row in Ruangkerja' }).isDisabled(), true);
  // The admin stops waiting for the retries; the row stays "not checked".
  await page.getByRole('button', { name: 'Stop checking' }).click();
  await row(page, 2).locator('.rows__status', { hasText: 'Not checked yet' }).waitFor();
  // With the file open, the connection is one line: the admin opens it.
  await unfold(page, 'connection');
  await page.locator('input[name="api-base-url"]').fill(sandbox.url);
  await page.getByRole('button', { name: 'Check 1 row in Ruangkerja' }).click();
  await page.getByRole('button', { name: 'Create 1 user' }).click();
  await row(page, 2).locator('.status__serial').waitFor();
  const state = await sandbox.state();
  assert.equal(state.creations.E7, 1);
  await page.close();
});

test('a refused row can be fixed in the grid and only it is sent again', async () => {
  await sandbox.api('/ruangkerja/users/create-bulk', {
    items: [{ employeeID: 'R0', name: 'Taken Email', email: 'taken@example.com', isActive: true }],
  });
  const { page } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('retry.xlsx', [
      HEADER,
      ['R1', 'Rina', '', 'rina@example.com', '', true, ''],
      ['R2', 'Rudi', '', 'taken@example.com', '', true, ''],
    ]),
  );
  await page.getByRole('button', { name: 'Create 2 users' }).click();
  await page.getByRole('status').filter({ hasText: '1 created; 1 rejected' }).waitFor();
  assert.equal(await row(page, 3).locator('.status__code').textContent(), '10102');

  // Fix the e-mail in place, by keyboard, then retry just that row.
  await row(page, 3).locator('[data-field="email"]').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('rudi@example.com');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Retry 1 refused row' }).click();
  await page.getByRole('status').filter({ hasText: 'retry.xlsx: 2 created.' }).waitFor();
  const state = await sandbox.state();
  assert.equal(state.creations.R1, 1, 'the row created before is not sent again');
  assert.equal(state.creations.R2, 1);
  assert.equal(state.users.find((user) => user.employeeID === 'R2').email, 'rudi@example.com');
  await page.close();
});

test('result files: every row with its outcome, formulas neutralised, and rows to fix re-uploaded and sent', async () => {
  const { readFile } = await import('node:fs/promises');
  await sandbox.api('/ruangkerja/users/create-bulk', {
    items: [{ employeeID: 'Q2', name: 'Already', email: 'q2-old@example.com', isActive: true }],
  });
  const { page } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('payroll.xlsx', [
      HEADER,
      ['Q1', '=HYPERLINK("http://evil.example")', '', 'q1@example.com', '', true, ''],
      ['Q2', 'Quinn', '', 'q2@example.com', '', true, ''],
      ['Q3', 'Qori', '', 'not-an-email', '', true, ''],
    ]),
  );
  // Q2 is taken: held back before sending, not refused after.
  await page.locator('.preflight__counts').filter({ hasText: '1 new · 1 ID taken' }).waitFor();
  await page.getByRole('button', { name: 'Create 1 user' }).click();
  await page.getByRole('status').filter({ hasText: 'payroll.xlsx: 1 row still has errors; 1 created; 1 ID taken, not sent.' }).waitFor();
  const serial = (await sandbox.state()).users.find((user) => user.employeeID === 'Q1').serial;

  // One primary download; the format is a choice beside it.
  const download = async (name, format) => {
    await page.locator('select[name="result-format"]').selectOption(format);
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name, exact: true }).click()]);
    return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
  };
  const results = await download('Download results', 'xlsx');
  assert.equal(results.name, 'payroll-results.xlsx');
  const sheet = readXlsx(results.bytes);
  const rows = sheet.rows(sheet.sheetNames[0]);
  // The admin's columns in order, then what happened, in plain words.
  assert.deepEqual(rows[0], [...HEADER, 'Result', 'Serial', 'Reason']);
  // In .xlsx a cell is text as typed: no apostrophe, and never a formula.
  assert.deepEqual(rows[1].slice(0, 2), ['Q1', '=HYPERLINK("http://evil.example")']);
  assert.equal(sheet.cell(sheet.sheetNames[0], 'B2').t, 's', 'a text cell');
  assert.equal(sheet.cell(sheet.sheetNames[0], 'B2').f, undefined, 'not a formula');
  assert.deepEqual(rows[1].slice(7, 9), ['Created', serial]);
  assert.deepEqual(rows[2].slice(7, 10), ['Not sent: ID exists', '', 'Already']);
  assert.equal(rows[3][7], 'Needs fixing');
  assert.match(rows[3][9], /email is not a valid address/);

  const csv = await download('Download results', 'csv');
  assert.equal(csv.name, 'payroll-results.csv');
  const text = csv.bytes.toString('utf8');
  assert.ok(text.includes(`"'=HYPERLINK(""http://evil.example"")"`), text);
  assert.ok(!/(^|,)=/m.test(text.replace(/^\ufeff/, '')), 'no cell starts with =');

  const toFix = await download('Download rows to fix', 'xlsx');
  assert.equal(toFix.name, 'payroll-rows-to-fix.xlsx');
  const fixBook = readXlsx(toFix.bytes);
  const fixRows = fixBook.rows(fixBook.sheetNames[0]);
  assert.deepEqual(fixRows.map((r) => r[0]), ['employeeID', 'Q2', 'Q3']);
  assert.deepEqual(fixRows[0], [...HEADER, 'Result', 'Reason']);
  const toFixCsv = await download('Download rows to fix', 'csv');
  assert.equal(toFixCsv.name, 'payroll-rows-to-fix.csv');
  assert.match(toFixCsv.bytes.toString('utf8'), new RegExp(`^\ufeff${HEADER.join(',')},Result,Reason`));

  // The admin fixes the rows in the app itself and sends them.
  await page.locator('input[type="file"]').setInputFiles({ name: toFix.name, mimeType: 'application/octet-stream', buffer: toFix.bytes });
  await page.getByRole('status').filter({ hasText: 'payroll-rows-to-fix.xlsx: 1 row still has errors; 1 ID taken, not sent.' }).waitFor();
  const edit = async (number, field, value) => {
    await row(page, number).locator(`[data-field="${field}"]`).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(value);
    await page.keyboard.press('Enter');
  };
  await edit(2, 'employeeID', 'Q2B');
  await edit(3, 'email', 'q3@example.com');
  await page.getByRole('button', { name: 'Create 2 users' }).click();
  await page.getByRole('status').filter({ hasText: 'payroll-rows-to-fix.xlsx: 2 created.' }).waitFor();
  const state = await sandbox.state();
  assert.equal(state.creations.Q2B, 1);
  assert.equal(state.creations.Q3, 1);
  await page.close();
});

test('phone numbers written with spaces, hyphens or +62 are tidied, shown as such, and sent as the API writes them', async () => {
  const { page, errors } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('nomor-hp.xlsx', [
      ['NIK', 'Nama Karyawan', 'No. HP', 'Status'],
      ['T1', 'Ani', '+62 812 5880 6279', 'Aktif'],
      ['T2', 'Budi', '+62-813-8522-6670', 'Aktif'],
      ['T3', 'Citra', '0812 3456 789O', 'Aktif'],
    ]),
  );
  const phone = (number) => row(page, number).locator('[data-field="phone"]');
  await phone(3).filter({ hasText: '6281385226670' }).waitFor();
  assert.match(await phone(2).textContent(), /^6281258806279\s*tidied from \+62 812 5880 6279$/);
  assert.equal(await phone(2).getAttribute('aria-invalid'), null, 'a tidied number is no error');
  // A letter among the digits is not tidied away: the admin fixes it.
  assert.equal(await phone(4).getAttribute('aria-invalid'), 'true');
  await checkStep(page, 'phones-tidied');

  await page.locator('.preflight__counts').filter({ hasText: '2 new' }).waitFor();
  await page.getByRole('button', { name: 'Create 2 users' }).click();
  await page.getByRole('status').filter({ hasText: '2 created' }).waitFor();
  const state = await sandbox.state();
  const phoneOf = (id) => state.users.find((user) => user.employeeID === id)?.phone;
  assert.equal(phoneOf('T1'), '6281258806279');
  assert.equal(phoneOf('T2'), '6281385226670');
  assert.equal(phoneOf('T3'), undefined);
  assert.deepEqual(errors, []);
  await page.close();
});
