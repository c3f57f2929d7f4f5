// Pre-flight as an admin meets it: before anything is written, every row is
// checked against what Ruangkerja holds, shown in the grid, and only then
// sent; updates never erase what an empty cell did not mean to erase.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStep, openApp, startSuite, waitForBaseUrl, unfold } from './harness.mjs';
import { readXlsx, xlsxFile } from './workbook.mjs';

let sandbox;
let site;
let browser;
let suite;

before(async () => {
  suite = await startSuite({ requestTimeoutSeconds: 3 });
  ({ sandbox, site, browser } = suite);
});

after(async () => {
  await suite?.stop();
});

function row(page, number) {
  return page.locator(`[role="row"][data-row="${number}"]`);
}

async function open(name, rows) {
  const { page, errors } = await openApp(browser, site.url);
  await page.setViewportSize({ width: 1366, height: 768 });
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(xlsxFile(name, rows));
  return { page, errors };
}

/** Every item the page sent to a bulk endpoint, by path. */
function recordBulkItems(page) {
  const sent = {};
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (request.method() === 'POST' && path.includes('/ruangkerja/users/')) {
      (sent[path.split('/').pop()] ??= []).push(...JSON.parse(request.postData()).items);
    }
  });
  return sent;
}

test('a create file whose IDs partly exist is marked before sending, and those rows become updates', async () => {
  await sandbox.faults({});
  const ids = Array.from({ length: 20 }, (_, i) => `PF1X${i + 1}`);
  const taken = ['PF1X3', 'PF1X7', 'PF1X12'];
  await sandbox.seed(taken.map((id) => ({ employeeID: id, name: `Old ${id}`, email: `old.${id.toLowerCase()}@example.com`, phone: '628111000', isActive: true })));
  const { page, errors } = await open('mixed.xlsx', [
    ['employeeID', 'name', 'email', 'isActive'],
    ...ids.map((id) => [id, `Name ${id}`, `${id.toLowerCase()}@example.com`, true]),
  ]);
  const sent = recordBulkItems(page);

  // Checked before anything is written: 17 new, 3 taken, with the holder's name.
  await page.locator('.preflight__counts').filter({ hasText: '17 new · 3 IDs taken' }).waitFor();
  await page.getByRole('button', { name: 'Create 17 users' }).waitFor();
  assert.match(await row(page, 4).locator('.rows__status').textContent(), /ID taken by Old PF1X3/);
  assert.equal(await row(page, 2).locator('.rows__status').textContent(), 'New');
  const stateBefore = await sandbox.state();
  assert.equal(stateBefore.requests['POST /ruangkerja/users/create-bulk'] ?? 0, 0, 'nothing was written by the check');
  await checkStep(page, 'preflight-1-create-taken');

  await page.getByRole('button', { name: 'Update these 3 users instead' }).click();
  await page.getByRole('button', { name: 'Create 17 and update 3 users' }).waitFor();
  // The moved rows show what the update changes.
  assert.match(await row(page, 4).locator('[data-field="name"]').textContent(), /Old PF1X3 → Name PF1X3/);
  await checkStep(page, 'preflight-2-update-instead');

  await page.getByRole('button', { name: 'Create 17 and update 3 users' }).click();
  await page.locator('.import__summary').filter({ hasText: 'mixed.xlsx: 17 created; 3 updated.' }).waitFor({ timeout: 30_000 });

  const state = await sandbox.state();
  for (const id of ids) {
    const user = state.users.find((u) => u.employeeID === id);
    assert.equal(user?.name, `Name ${id}`);
    assert.equal(state.creations[id] ?? 0, taken.includes(id) ? 0 : 1, id);
  }
  // An empty phone cell kept the stored phone of the updated users.
  assert.equal(state.users.find((u) => u.employeeID === 'PF1X3').phone, '628111000');
  assert.deepEqual((sent['create-bulk'] ?? []).map((item) => item.employeeID).filter((id) => taken.includes(id)), []);
  assert.doesNotMatch(await page.locator('.grid').textContent(), /10101/);
  assert.match(await row(page, 4).locator('.rows__status').textContent(), /Updated/);
  await checkStep(page, 'preflight-3-done');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an update with empty cells loses no stored value even when the API reads null as "clear"', async () => {
  await sandbox.faults({ updateNulls: 'clear' });
  await sandbox.seed([
    { employeeID: 'PF2A', name: 'Ani', phone: '628111111', email: 'ani.pf2@example.com', isActive: true, tagSerials: ['RUKRTAG-AAAAAAAA'] },
    { employeeID: 'PF2B', name: 'Budi', phone: '628222222', email: 'budi.pf2@example.com', isActive: true },
    { employeeID: 'PF2C', name: 'Citra', phone: '628333333', email: 'citra.pf2@example.com', isActive: true },
    { employeeID: 'PF2D', name: 'Dewi', phone: '628444444', email: 'dewi.pf2@example.com', isActive: false },
  ]);
  const { page, errors } = await open('phones.xlsx', [
    ['employeeID', 'name', 'phone', 'isActive'],
    ['PF2A', 'Ani Wijaya', '', 'TRUE'], // new name, phone kept
    ['PF2B', 'Budi', '628299999', 'TRUE'], // new phone
    ['PF2C', 'Citra', '#CLEAR', 'TRUE'], // phone cleared on purpose
    ['PF2D', 'Dewi', '', 'FALSE'], // nothing changes
  ]);
  const sent = recordBulkItems(page);
  await unfold(page, 'setup');
  await page.locator('input[name="mode"][value="update"]').check();
  await page.locator('.preflight__counts').filter({ hasText: '3 will change · 1 unchanged' }).waitFor();
  assert.equal(await row(page, 2).locator('[data-field="name"]').textContent(), 'Ani → Ani Wijaya');
  assert.match(await row(page, 2).locator('[data-field="phone"]').textContent(), /628111111/);
  assert.equal(await row(page, 3).locator('[data-field="phone"]').textContent(), '628222222 → 628299999');
  assert.equal(await row(page, 4).locator('[data-field="phone"]').textContent(), '628333333 → (cleared)');
  assert.match(await row(page, 5).locator('.rows__status').textContent(), /No change/);
  await checkStep(page, 'preflight-4-update-diff');
  // The same, in Bahasa Indonesia.
  await page.locator('select[name="language"]').selectOption('id');
  await page.locator('.preflight__counts').filter({ hasText: '3 akan berubah · 1 tidak berubah' }).waitFor();
  assert.equal(await row(page, 4).locator('[data-field="phone"]').textContent(), '628333333 → (dikosongkan)');
  assert.match(await row(page, 5).locator('.rows__status').textContent(), /Tidak berubah: tidak dikirim/);
  await checkStep(page, 'preflight-4-update-diff-id');
  await page.locator('select[name="language"]').selectOption('en');

  await page.getByRole('button', { name: 'Update 3 users' }).click();
  await page.locator('.import__summary').filter({ hasText: 'phones.xlsx: 3 updated.' }).waitFor({ timeout: 30_000 });
  const state = await sandbox.state();
  const user = (id) => state.users.find((u) => u.employeeID === id);
  assert.equal(user('PF2A').name, 'Ani Wijaya');
  assert.equal(user('PF2A').phone, '628111111', 'an empty cell kept the phone');
  assert.deepEqual(user('PF2A').tagSerials, ['RUKRTAG-AAAAAAAA'], 'no tag column kept the tags');
  assert.equal(user('PF2B').phone, '628299999');
  assert.equal(user('PF2C').phone ?? null, null, 'the clear marker cleared');
  assert.equal(user('PF2D').phone, '628444444');
  assert.deepEqual(sent['update-bulk'].map((item) => item.employeeID), ['PF2A', 'PF2B', 'PF2C'], 'the unchanged row was not sent');
  assert.deepEqual(errors, []);
  await sandbox.faults({});
  await page.close();
});

test('a create whose ID was taken by someone else meanwhile, and whose answer was lost, is not reported as created', async () => {
  await sandbox.faults({});
  const { page, errors } = await open('lost.xlsx', [
    ['employeeID', 'name', 'email', 'isActive'],
    ['PF3A', 'Rina', 'rina.pf3@example.com', true],
    ['PF3B', 'Sari', 'sari.pf3@example.com', true],
  ]);
  await page.locator('.preflight__counts').filter({ hasText: '2 new' }).waitFor();
  // After the check saw PF3B free, someone else takes it.
  await sandbox.seed([{ employeeID: 'PF3B', name: 'Someone Else', email: 'other.pf3@example.com', isActive: true }]);
  // The next request is applied, then its connection drops; the lookups
  // that follow get answers.
  await sandbox.faults({ dropAfterApplyRate: 1 });
  page.on('requestfailed', (request) => {
    if (request.url().includes('create-bulk')) sandbox.faults({});
  });
  await page.getByRole('button', { name: 'Create 2 users' }).click();
  await page.locator('.import__summary').filter({ hasText: 'lost.xlsx: 1 created; 1 ID exists, not confirmed.' }).waitFor({ timeout: 30_000 });
  const state = await sandbox.state();
  assert.equal(state.creations.PF3A, 1);
  assert.equal(state.creations.PF3B ?? 0, 0);
  assert.match(await row(page, 2).locator('.rows__status').textContent(), /Created/);
  const status = await row(page, 3).locator('.rows__status').textContent();
  assert.match(status, /ID exists, not confirmed as ours/);
  assert.match(status, /Someone Else · other\.pf3@example\.com/);
  assert.doesNotMatch(status, /Created/);
  await checkStep(page, 'preflight-5-not-ours');
  // The dropped connection is the only error the browser reports.
  assert.deepEqual(errors.filter((e) => !e.includes('ERR_EMPTY_RESPONSE')), []);
  await page.close();
});

test('e-mail addresses change through update-email-bulk only after the warning, and the results say so', async () => {
  // The API's own curl spelling, to prove the fallback from the other one;
  // a slow API at first, so the mode is changed while the check runs.
  await sandbox.faults({ emailBulkPath: 'update-bulk-email', latencyMs: 1500 });
  await sandbox.seed([
    { employeeID: 'PF4A', name: 'Eka', email: 'eka.old@example.com', isActive: true },
    { employeeID: 'PF4B', name: 'Fajar', email: 'fajar@example.com', isActive: true },
    { employeeID: 'PF4C', name: 'Gita', email: 'gita.old@example.com', isActive: true },
  ]);
  const { page, errors } = await open('emails.xlsx', [
    ['employeeID', 'name', 'email', 'isActive'],
    ['PF4A', 'Eka', 'eka.new@example.com', true],
    ['PF4B', 'Fajar Nugroho', 'FAJAR@example.com', true],
    ['PF4C', 'Gita', 'gita.new@example.com', true],
  ]);
  await page.locator('.preflight .progress').waitFor();
  await unfold(page, 'setup');
  await page.locator('input[name="mode"][value="update"]').check();
  await page.locator('.preflight__counts').filter({ hasText: '1 will change · 2 e-mail changes' }).waitFor();
  await sandbox.faults({ emailBulkPath: 'update-bulk-email' });
  assert.match(await row(page, 2).locator('.rows__status').textContent(), /Only the e-mail address changes/);
  assert.equal(await row(page, 2).locator('[data-field="email"]').textContent(), 'eka.old@example.com → eka.new@example.com');
  // Only Fajar's name changes; his e-mail differs in case only.
  await page.getByRole('button', { name: 'Update 1 user' }).click();
  await page.locator('.import__summary').filter({ hasText: 'emails.xlsx: 1 updated.' }).waitFor({ timeout: 30_000 });

  const change = page.getByRole('button', { name: 'Change 2 e-mail addresses' });
  await page.getByText('also resets the user\'s password').waitFor();
  assert.equal(await change.isDisabled(), true, 'nothing before the warning is acknowledged');
  await checkStep(page, 'preflight-6-email-warning');
  await page.getByLabel('I understand that these users\' passwords will be reset').check();
  await change.click();
  await row(page, 4).locator('.status__email').filter({ hasText: 'E-mail: changed' }).waitFor({ timeout: 30_000 });
  await row(page, 2).locator('.status__email').filter({ hasText: 'E-mail: changed' }).waitFor();

  const state = await sandbox.state();
  const user = (id) => state.users.find((u) => u.employeeID === id);
  assert.equal(user('PF4A').email, 'eka.new@example.com');
  assert.equal(user('PF4C').email, 'gita.new@example.com');
  assert.equal(user('PF4B').email, 'fajar@example.com');
  assert.equal(state.passwordResets.PF4A, 1);
  assert.equal(state.passwordResets.PF4B ?? 0, 0);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download results', exact: true }).click(),
  ]);
  const book = readXlsx(await streamToBuffer(await download.createReadStream()));
  const rows = book.rows(book.sheetNames[0]);
  const column = rows[0].indexOf('E-mail change');
  assert.ok(column > 0, `no E-mail change column in ${rows[0]}`);
  assert.deepEqual(rows.slice(1).map((r) => r[column]), ['Changed', '', 'Changed']);
  await checkStep(page, 'preflight-7-email-done');
  // The one 404 is the first spelling of the e-mail endpoint.
  assert.deepEqual(errors.filter((e) => !e.includes('404')), []);
  assert.equal(state.requests['POST /ruangkerja/users/update-email-bulk'], 1);
  await sandbox.faults({});
  await page.close();
});

async function streamToBuffer(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

test('a refused token pauses the check until a valid one is pasted, and nothing is written meanwhile', async () => {
  await sandbox.faults({});
  const { page, errors } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[name="access-token"]').fill('expired-token');
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('token.xlsx', [
      ['employeeID', 'name', 'email', 'isActive'],
      ['PF5A', 'Tono', 'tono.pf5@example.com', true],
      ['PF5B', 'Umi', 'umi.pf5@example.com', true],
    ]),
  );
  await page.getByRole('alert').filter({ hasText: 'The access token was refused while checking' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Check 2 rows in Ruangkerja' }).isDisabled(), true);
  await checkStep(page, 'preflight-8-token-refused');
  await page.locator('input[name="access-token"]').fill(sandbox.token);
  await page.locator('.preflight').getByRole('button', { name: 'Resume' }).click();
  await page.getByRole('button', { name: 'Create 2 users' }).click();
  await page.locator('.import__summary').filter({ hasText: 'token.xlsx: 2 created.' }).waitFor();
  const state = await sandbox.state();
  assert.equal(state.creations.PF5A, 1);
  // Only the refused check's 401s are reported by the browser.
  assert.deepEqual(errors.filter((e) => !e.includes('401')), []);
  await page.close();
});
