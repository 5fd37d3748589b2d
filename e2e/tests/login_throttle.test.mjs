// Login throttling in the browser (issue 11, defect 7; ADR 0020): one client guessing many
// names through the login form is locked out, even with a right password, while the real
// user signs in from another address. The server trusts 127.0.0.1 as a proxy here, so each
// browser context stands for a different client through its X-Forwarded-For header.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, setUp, tearDown, newPage, shot, saveFailure, login, visibleText } from './harness.mjs';

process.env.JIUJINAN_TRUSTED_PROXIES = '127.0.0.1';
before(setUp);
after(tearDown);

const LOCKED = /登录失败次数过多/;

test('one client guessing 30 names is throttled; the user elsewhere signs in', { timeout: 180_000 }, async () => {
  const attacker = await newPage();
  const user = await newPage();
  await attacker.page.setExtraHTTPHeaders({ 'X-Forwarded-For': '203.0.113.7' });
  await user.page.setExtraHTTPHeaders({ 'X-Forwarded-For': '198.51.100.9' });
  let step = 'guessing';
  let page = attacker.page;
  try {
    let lockedAt = -1;
    for (let i = 0; i < 30 && lockedAt < 0; i++) {
      await login(page, `guess${i}`, 'Wrong-password-1');
      await page.locator('#login-error').waitFor({ state: 'visible' });
      if (LOCKED.test(await visibleText(page, '#login-error'))) lockedAt = i;
    }
    assert.equal(lockedAt, 20, 'twenty failures from one client, then the form says it is locked');
    await shot(page, 'login-throttle-01-locked');

    step = 'attacker-right-password';
    await login(page, 'admin', PASSWORD);
    await page.locator('#login-error').waitFor({ state: 'visible' });
    assert.match(await visibleText(page, '#login-error'), LOCKED, 'a locked client is refused even with a right password');

    step = 'user-elsewhere';
    page = user.page;
    await login(page, 'admin', PASSWORD);
    await page.waitForURL((u) => u.pathname === '/');
    assert.match(await visibleText(page, '#whoami'), /admin/);
    await shot(page, 'login-throttle-02-user-signed-in');
    attacker.assertNoBrowserErrors();
    user.assertNoBrowserErrors();
  } catch (err) {
    await saveFailure(page, `login-throttle-${step}`, [...attacker.browserErrors(), ...user.browserErrors()]);
    throw err;
  } finally {
    await attacker.context.close();
    await user.context.close();
  }
});
