// Rule data in the browser: an administrator moves medical assistance to the civil-affairs
// bureau from today with a new version of the programme, and the catalogue shows it; a bad
// programme code is refused with its message and changes nothing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { server, setUp, tearDown, newPage, saveFailure, signIn } from './harness.mjs';

before(setUp);
after(tearDown);

test('rules: a new version of a programme', { timeout: 120_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';
  const medicalRow = () => page.locator('#programmes tr[data-code="medical"]').textContent();
  try {
    step = '70-catalogue';
    await signIn(context, page, 'admin');
    await page.goto(`${server.base}/admin/rules`);
    assert.match(await medicalRow(), /卫生健康/);

    step = '71-bad-code';
    await page.click('#programme-editor > summary');
    await page.fill('#pg-code', 'Medical!');
    await page.fill('#pg-source', '测试');
    await page.click('#add-programme');
    await page.locator('#rules-error').waitFor({ state: 'visible' });
    assert.match(await page.locator('#rules-error').textContent(), /项目代码/);
    assert.match(await medicalRow(), /卫生健康/, 'nothing changed');

    step = '72-new-version';
    await page.click('#programme-editor > summary');
    await page.fill('#pg-code', 'medical');
    await page.selectOption('#pg-department', 'civil_affairs');
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    await page.fill('#pg-from', today);
    await page.fill('#pg-source', '区政府决定：医疗救助由民政部门办理');
    await page.click('#add-programme');
    await page.locator('#rules-saved').waitFor({ state: 'visible' });
    const row = await medicalRow();
    assert.match(row, /民政/);
    assert.match(row, /医疗救助由民政部门办理/);
    assertNoBrowserErrors();
  } catch (e) {
    await saveFailure(page, `rules-${step}`, browserErrors());
    throw e;
  } finally {
    await context.close();
  }
});
