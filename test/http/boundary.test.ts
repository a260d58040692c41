// Defects found from outside, at the boundary: bracketed form fields, security headers on every
// response, and return paths that leave the site after normalising.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PortalHarness } from '../support/portal-harness.js';
import type { Page } from '../support/user-agent.js';

describe('the boundary', () => {
  let h: PortalHarness;

  beforeAll(async () => {
    h = await PortalHarness.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Where a confirmation lands: through the sign-in pages when they are shown. */
  async function landing(u: Awaited<ReturnType<PortalHarness['user']>>, start: Page): Promise<Page> {
    const page = await u.agent.follow(start);
    return page.html.includes('/step/password') ? h.signIn(u.agent, u.user.username, u.secret, page.url) : page;
  }

  it.each([
    ['own1[]=x', { 'own1[]': 'x', a1: 'answer one' }],
    ['q1[]=x', { 'q1[]': 'What was the name of your first pet?', a1: 'answer one' }],
    ['a1[]=x', { q1: 'What was the name of your first pet?', 'a1[]': 'answer one' }],
    ['own1[a]=x', { 'own1[a]': 'x', a1: 'answer one' }],
  ])('answers a bracketed field (%s) on My Profile with a clear 4xx notice, and changes nothing', async (_, fields) => {
    const u = await h.user(`brackets${Math.random().toString(36).slice(2, 8)}`);
    const before = await h.server.app.services.questions.questionsOf(u.user.id);
    const form = await u.agent.get(`${h.server.url}/account/questions`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.html)![1]!;
    // Refused, the form comes back at once with what was typed, as the sign-in's does.
    const shown = await u.agent.post(`${h.server.url}/account/questions`, { _csrf: csrf, ...fields });
    expect(shown.status).toBe(400);
    expect(shown.html).toContain('Choose at least 3 questions and answer each of them.');
    expect(await h.server.app.services.questions.questionsOf(u.user.id)).toEqual(before);
  });

  it.each([
    ['the 404 page', '/no/such/page', 404],
    ["oidc-provider's error page", '/auth?client_id=nope&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fx.example%2Fcb', 400],
    ['discovery', '/.well-known/openid-configuration', 200],
    ['readiness', '/readyz', 200],
  ])('puts the security headers on %s', async (_, path, status) => {
    const res = await fetch(`${h.server.url}${path}`, { redirect: 'manual' });
    expect(res.status).toBe(status);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    // The issuer is http here: no HSTS (it would be meaningless, and wrong for a plain-http setup).
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it.each(['/account/..//evil.example', '/account/../..//evil.example/x', '//evil.example', '/account/%2e%2e//evil.example', '/admin', 'https://evil.example/account'])(
    'never returns to %s after confirming it is you',
    async (target) => {
      const u = await h.user(`returner${Math.random().toString(36).slice(2, 8)}`);
      const start = await u.agent.get(`${h.server.url}/account/reauth?return=${encodeURIComponent(target)}`);
      expect(start.status).toBe(302);
      const back = await landing(u, start);
      // Where the sign-in lands: My Profile itself, on this server.
      expect(new URL(back.url).origin).toBe(h.server.url);
      expect(new URL(back.url).pathname).toBe('/account');
      expect(back.html).not.toContain('evil.example');
    },
  );

  it('still returns to a page of My Profile', async () => {
    const u = await h.user(`stayer${Math.random().toString(36).slice(2, 8)}`);
    const start = await u.agent.get(`${h.server.url}/account/reauth?return=${encodeURIComponent('/account/password')}`);
    const back = await landing(u, start);
    expect(new URL(back.url).pathname).toBe('/account/password');
  });
});
