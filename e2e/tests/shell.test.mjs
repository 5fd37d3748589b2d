// Browser journey through the jiujinan UI shell: login, org tree (htmx),
// search, language switch, user admin, logout, and a permission check.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PASSWORD, server, setUp, tearDown, newPage, shot, saveFailure, pathOf, eventually, htmlLang, login, visibleText,
} from './harness.mjs';

before(setUp);
after(tearDown);

// ------------------------------------------------------------------ tests

test('admin journey: login, org tree, search, language, users, logout', { timeout: 180_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';
  try {
    // 1. Anonymous visit redirects to /login; wrong password shows a generic error.
    step = '01-login-error';
    await page.goto(`${server.base}/`);
    assert.equal(pathOf(page), '/login', `GET / should redirect to /login, got ${page.url()}`);
    assert.equal(await htmlLang(page), 'zh-CN', '<html lang> on the login page');
    await page.fill('#username', 'admin');
    await page.fill('#password', 'wrong-password');
    await page.click('#login-submit');
    await page.locator('#login-error').waitFor({ state: 'visible' });
    assert.equal(pathOf(page), '/login', `failed login should stay on /login, got ${page.url()}`);
    await shot(page, step);

    // 2. Correct password lands on the home page.
    step = '02-home';
    await page.fill('#username', 'admin');
    await page.fill('#password', PASSWORD);
    await page.click('#login-submit');
    await page.waitForURL((u) => u.pathname === '/');
    assert.match(await visibleText(page, '#whoami'), /admin/, '#whoami should name the logged-in user');
    await page.locator('#home-title').waitFor({ state: 'visible' });
    await shot(page, step);

    // 3. Org tree: expand 朝阳区 → 建外街道 → its communities (htmx-loaded children).
    step = '03a-org-tree';
    await page.click('#nav-org');
    await page.waitForURL((u) => u.pathname === '/org');
    const chaoyang = page.locator('#org-tree li[data-code="110105"]');
    await chaoyang.waitFor({ state: 'visible' });
    await chaoyang.locator('.toggle').first().click();
    const jianwai = page.locator('#org-tree li[data-code="110105001"]');
    await jianwai.waitFor({ state: 'visible' });
    await shot(page, '03a-org-chaoyang-expanded');
    step = '03b-org-jianwai';
    await jianwai.locator('.toggle').first().click();
    await page.locator('#org-tree li[data-code="110105001024"]').waitFor({ state: 'visible' });
    await shot(page, step);

    // 4. Search by a two-character village name.
    step = '04-org-search';
    await page.fill('#org-search', '时村');
    await page.press('#org-search', 'Enter');
    const hit = page.locator('#org-search-results li[data-code]', { hasText: '时村' }).first();
    await hit.waitFor({ state: 'visible' });
    const u = new URL(page.url());
    assert.equal(u.pathname, '/org', `search should stay on /org, got ${page.url()}`);
    assert.equal(u.searchParams.get('q'), '时村', `search should be a GET with q=时村, got ${page.url()}`);
    await shot(page, step);

    // 5. Language switch toggles <html lang> between en and zh-CN.
    step = '05-lang-en';
    await page.click('#lang-switch');
    await eventually(async () => (await htmlLang(page)) === 'en', '<html lang="en"> after #lang-switch');
    await page.locator('#lang-switch').waitFor({ state: 'visible' });
    await shot(page, step);
    step = '05b-lang-zh';
    await page.click('#lang-switch');
    await eventually(async () => (await htmlLang(page)) === 'zh-CN', '<html lang="zh-CN"> after second #lang-switch');
    await shot(page, step);

    // 6. User admin lists the demo users.
    step = '06-admin-users';
    const res = await page.goto(`${server.base}/admin/users`);
    assert.equal(res?.status(), 200, 'admin should be allowed to see /admin/users');
    await page.locator('#users-table tr', { hasText: 'cy_approver' }).first().waitFor({ state: 'visible' });
    await shot(page, step);

    // 7. Logout ends the session.
    step = '07-logout';
    await page.click('#logout');
    await page.waitForURL((u) => u.pathname === '/login');
    await page.goto(`${server.base}/`);
    assert.equal(pathOf(page), '/login', `after logout GET / should redirect to /login, got ${page.url()}`);
    await shot(page, step);

    step = 'browser-errors';
    assertNoBrowserErrors();
  } catch (err) {
    await saveFailure(page, `admin-${step}`, browserErrors());
    throw err;
  } finally {
    await context.close();
  }
});

test('window clerk: sees own name, is forbidden from /admin/users', { timeout: 120_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';
  try {
    step = '08-clerk-home';
    await login(page, 'jw_clerk', PASSWORD);
    await page.waitForURL((u) => u.pathname === '/');
    assert.match(await visibleText(page, '#whoami'), /jw_clerk/, '#whoami should name jw_clerk');
    await shot(page, step);

    step = '09-clerk-forbidden';
    const res = await page.goto(`${server.base}/admin/users`);
    assert.equal(res?.status(), 403, 'a window clerk must get HTTP 403 on /admin/users');
    await shot(page, step);

    step = 'browser-errors';
    assertNoBrowserErrors();
  } catch (err) {
    await saveFailure(page, `clerk-${step}`, browserErrors());
    throw err;
  } finally {
    await context.close();
  }
});
