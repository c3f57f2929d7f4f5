// Signing in: a token from client credentials, its expiry, keeping it for
// the tab only, and an expired token caught before anything is sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, startSuite, waitForBaseUrl } from './harness.mjs';
import { xlsxFile } from './workbook.mjs';

let suite;
before(async () => {
  // No preset token: the admin signs in.
  suite = await startSuite({ accessToken: null });
});
after(async () => {
  await suite?.stop();
});

async function signIn(page, secret = 'sandbox-secret') {
  if (!(await page.locator('details.connection__sign-in').evaluate((details) => details.open))) {
    await page.getByText('Sign in with a client ID and secret').click();
  }
  await page.locator('input[name="client-id"]').fill('sandbox-client');
  await page.locator('input[name="client-secret"]').fill(secret);
  await page.getByRole('button', { name: 'Get token' }).click();
}

test('client credentials are exchanged for a token whose expiry is shown, and wrong ones are reported', async () => {
  const { page } = await openApp(suite.browser, suite.site.url);
  await waitForBaseUrl(page, suite.sandbox.url);
  assert.equal(await page.locator('input[name="access-token"]').inputValue(), '');
  await signIn(page, 'wrong');
  await page.getByRole('alert').filter({ hasText: 'BAD_REQUEST' }).waitFor();
  await signIn(page);
  await page.locator('.connection__expiry').getByText(/Expires in 11 h 59 min\./).waitFor();
  const token = await page.locator('input[name="access-token"]').inputValue();
  assert.ok(token.length > 10 && token !== suite.sandbox.token, token);
  assert.equal(await page.locator('input[name="client-secret"]').inputValue(), '', 'the secret is not kept in the form');

  // The exchanged token works: a user is created with it.
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('one.xlsx', [['employeeID', 'name', 'email', 'isActive'], ['S1', 'Sari', 's1@example.com', true]]),
  );
  await page.getByRole('button', { name: 'Create 1 user' }).click();
  await page.getByRole('status').filter({ hasText: 'one.xlsx: 1 created.' }).waitFor();

  // Nothing of it is in localStorage, and without the tick not in sessionStorage either.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes(token), stored);
  await page.reload();
  await page.getByRole('heading', { name: 'Ruangkerja employee import' }).waitFor();
  assert.equal(await page.locator('input[name="access-token"]').inputValue(), '', 'forgotten on reload');
  await page.close();
});

test('"remember in this tab" keeps the token in sessionStorage only', async () => {
  const { page } = await openApp(suite.browser, suite.site.url);
  await waitForBaseUrl(page, suite.sandbox.url);
  await page.locator('input[name="remember-token"]').check();
  await signIn(page);
  await page.locator('.connection__expiry').getByText(/Expires in/).waitFor();
  const token = await page.locator('input[name="access-token"]').inputValue();
  await page.reload();
  await page.getByRole('heading', { name: 'Ruangkerja employee import' }).waitFor();
  await waitForBaseUrl(page, suite.sandbox.url);
  assert.equal(await page.locator('input[name="access-token"]').inputValue(), token);
  const local = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  assert.ok(!local.includes(token), 'never in localStorage');
  await page.close();
});

test('an expired token is caught before anything is sent', async () => {
  const page = await suite.browser.newPage();
  await page.clock.install();
  await page.goto(suite.site.url);
  await waitForBaseUrl(page, suite.sandbox.url);
  await signIn(page);
  await page.locator('.connection__expiry').getByText(/Expires in/).waitFor();
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('late.xlsx', [['employeeID', 'name', 'email', 'isActive'], ['S9', 'Santi', 's9@example.com', true]]),
  );
  await page.clock.fastForward('13:00:00');
  await page.getByRole('button', { name: 'Create 1 user' }).click();
  await page.getByRole('alert').filter({ hasText: 'The access token has expired' }).waitFor();
  assert.equal((await suite.sandbox.state()).creations.S9, undefined, 'nothing was sent');
  await page.close();
});
