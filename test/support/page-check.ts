// The browser side of the page walks: chromium from Debian (never downloaded), and the check every
// page passes at each width — axe-core finds nothing, nothing sticks out sideways (the innermost
// elements that do are named, to say what to fix). A screenshot of each is kept under test-artifacts.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { type Browser, chromium, type Page } from 'playwright-core';
import { projectRoot } from '../../src/support/project-root.js';

const axeSource = readFileSync(join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
export const WIDTHS = [1280, 390];

// What the page-side functions use of the DOM (the project compiles without the DOM library).
interface Element {
  tagName: string;
  className: string;
  getBoundingClientRect(): { right: number };
  contains(other: Element): boolean;
}
interface PageGlobals {
  axe?: { run(): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> };
  innerWidth: number;
  document: { scrollingElement: { scrollWidth: number }; querySelectorAll(selector: string): Iterable<Element> };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Checks pages at every width and keeps a numbered screenshot of each in `test-artifacts/<folder>`. */
export class PageChecker {
  readonly #dir: string;
  #shot = 0;

  constructor(folder: string) {
    this.#dir = join(projectRoot, 'test-artifacts', folder);
    mkdirSync(this.#dir, { recursive: true });
  }

  /** At each width: no axe-core violation and no sideways scrolling; the page is left at 1280 px. */
  async check(page: Page, name: string): Promise<void> {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: join(this.#dir, `${String(++this.#shot).padStart(2, '0')}-${name}-${width}.png`), fullPage: true });
      // CDP's evaluate is not subject to the page's CSP (script-src 'self').
      if (!(await page.evaluate(() => !!(globalThis as unknown as PageGlobals).axe))) await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const result = await (globalThis as unknown as PageGlobals).axe!.run();
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((x) => x.target.join(' ')) }));
      });
      expect({ page: name, width, violations }).toEqual({ page: name, width, violations: [] });
      const overflow = await page.evaluate(() => {
        const g = globalThis as unknown as PageGlobals;
        const wider = [...g.document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > g.innerWidth + 0.5);
        const culprits = wider.filter((e) => !wider.some((o) => o !== e && e.contains(o))).slice(0, 5);
        return { by: Math.max(0, g.document.scrollingElement.scrollWidth - g.innerWidth), culprits: culprits.map((e) => `${e.tagName.toLowerCase()}.${e.className}`) };
      });
      expect({ page: name, width, overflow: overflow.by, culprits: overflow.by ? overflow.culprits : [] }).toEqual({ page: name, width, overflow: 0, culprits: [] });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }
}
