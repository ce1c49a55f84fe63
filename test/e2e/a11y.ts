import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';

/** WCAG 2.1 A and AA: what public school districts must meet on the web (issue 15). */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/**
 * axe's best practices as well: heading order, landmarks and the like are not WCAG success criteria by themselves
 * but are how a screen reader user finds their way around the page.
 */
export const AUDIT_TAGS = [...WCAG_TAGS, 'best-practice'];
/** A laptop and a phone (iPhone 12–15 CSS width). */
export const WIDTHS = [1366, 390] as const;

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; any: { message: string }[] }[];
}

/**
 * Runs axe-core in the page (injected with addScriptTag; the browser context must bypass the pages' CSP, which
 * allows no inline script) against the WCAG 2.1 A/AA rules and axe's best practices. Returns one line per
 * violation: id, help, how many elements, the first one's selector and what is wrong with it, so a failing
 * `toEqual([])` prints what to fix.
 */
export async function audit(page: Page, tags: string[] = AUDIT_TAGS): Promise<string[]> {
  if (!(await page.evaluate('"axe" in globalThis'))) await page.addScriptTag({ content: AXE_SOURCE });
  // Browser-side code as text: this project compiles without the DOM library.
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(tags)} }, resultTypes: ['violations'] })
      .then((r) => r.violations)`,
  )) as AxeViolation[];
  return violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} element(s), first: ${JSON.stringify(v.nodes[0]?.target)}${v.nodes[0]?.any[0] ? ` (${v.nodes[0].any[0].message})` : ''}`,
  );
}

/** How far the page is wider than the window, in CSS pixels (0: no horizontal scrolling). */
export const overflow = (page: Page): Promise<number> =>
  page.evaluate('Math.max(0, document.documentElement.scrollWidth - window.innerWidth)') as Promise<number>;

/** Screenshot at `width` to <dir>/<name>-<width>.png (the whole page). */
export async function shoot(page: Page, dir: string, name: string, width: number): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
}
