// Password-protected workbooks, as an admin meets them: one that Excel
// opens without asking (its built-in default password) opens the same way;
// another asks for its password, which opens it and is kept nowhere.
// The fixtures are made by crates/employee-import/tests/fixtures/encrypted/make-encrypted.sh.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkStep, openApp, repoRoot, startSuite, waitForBaseUrl } from './harness.mjs';

const fixtures = join(repoRoot, 'crates/employee-import/tests/fixtures/encrypted');
let suite;

before(async () => {
  suite = await startSuite();
});

after(async () => {
  await suite?.stop();
});

async function drop(page, name) {
  const buffer = await readFile(join(fixtures, name));
  await page.locator('input[type="file"]').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
}

test('a workbook encrypted with Excel\'s default password opens without asking', async () => {
  const { page, errors } = await openApp(suite.browser, suite.site.url);
  await waitForBaseUrl(page, suite.sandbox.url);
  await drop(page, 'default-password.xlsx');
  await page.locator('[role="row"][data-row="2"]').waitFor();
  assert.equal(await page.locator('input[name="workbook-password"]').count(), 0);
  await page.getByRole('button', { name: 'Create 40 users' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a workbook with a password asks for it, refuses a wrong one, and opens with the right one', async () => {
  const { page, errors } = await openApp(suite.browser, suite.site.url);
  await waitForBaseUrl(page, suite.sandbox.url);
  await drop(page, 'password-Rahasia-2026.xlsx');
  const password = page.getByLabel('Password of the workbook');
  await password.waitFor();
  await checkStep(page, 'protected-1-asks');
  await password.fill('rahasia-2026');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'That password does not open this workbook' }).waitFor();
  assert.equal(await password.inputValue(), '', 'the field is cleared after each try');
  await password.fill('Rahasia-2026');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.locator('[role="row"][data-row="2"]').waitFor();
  assert.equal(await page.locator('input[name="workbook-password"]').count(), 0);
  // Nothing of the password is kept by the page.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.doesNotMatch(stored, /Rahasia-2026/);
  await page.getByRole('button', { name: 'Create 40 users' }).click();
  await page.locator('.import__summary').filter({ hasText: '40 created' }).waitFor();
  const state = await suite.sandbox.state();
  assert.equal(state.creations.ENC40, 1);
  assert.deepEqual(errors, []);
  await page.close();
});
