// The console shows and takes an API's access token lifetime in minutes or hours, as the Settings page
// does durations; the API keeps seconds.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEnrolledUser } from '../support/enrolled-user.js';
import { byLabels, formWithin, selectedOption, shownValue } from '../support/labelled-fields.js';
import { PortalHarness } from '../support/portal-harness.js';
import { findForm, type Page, UserAgent } from '../support/user-agent.js';

describe('an API’s token lifetime in the console', () => {
  let p: PortalHarness;

  beforeAll(async () => {
    p = await PortalHarness.start();
  });

  afterAll(async () => p?.close());

  const s = () => p.server.app.services;
  const LIFETIME = 'Access token lifetime (1 minute to 24 hours)';
  const UNIT = 'Unit of the access token lifetime';

  /** Sends the form whose action ends with `action`, typed by label over the form's current values. */
  async function send(agent: UserAgent, from: Page, action: string, typed: Record<string, string>): Promise<Page> {
    const form = findForm(from.html, action);
    const inside = formWithin(from.html, action);
    const current = { name: shownValue(inside, 'Name') ?? '', scopes: shownValue(inside, 'Scopes (separated by spaces)') ?? '', tokenFormat: 'jwt', signingAlg: 'RS256' };
    return agent.follow(await agent.post(new URL(form.action, from.url).href, { ...form.hidden, ...current, ...byLabels(inside, typed) }));
  }

  it('adds an API with a lifetime in hours, changes it to minutes, and shows each in its unit', async () => {
    const { secret } = await createEnrolledUser(p.server, 'apiadmin', p.now, 'superadmin');
    const agent = new UserAgent();
    const list = await p.signIn(agent, 'apiadmin', secret, `${p.server.url}/admin/resource-servers`);
    expect(list.html).toContain('<h1>APIs (resource servers)</h1>');
    const adding = formWithin(list.html, '/admin/resource-servers');
    expect(shownValue(adding, LIFETIME)).toBe('1');
    expect(selectedOption(adding, UNIT)).toBe('hours');

    const identifier = 'https://billing.example.com';
    await send(agent, list, '/admin/resource-servers', {
      'Identifier (the resource indicator, an https URI)': identifier,
      Name: 'Billing',
      'Scopes (separated by spaces)': 'billing:read',
      [LIFETIME]: '2',
      [UNIT]: 'hours',
    });
    expect((await s().resources.get(identifier)).accessTokenTtl).toBe(7200);

    const update = `/admin/resource-servers/${encodeURIComponent(identifier)}/update`;
    let page = await agent.get(`${p.server.url}/admin/resource-servers`);
    expect(shownValue(formWithin(page.html, update), LIFETIME)).toBe('2');
    expect(selectedOption(formWithin(page.html, update), UNIT)).toBe('hours');

    page = await send(agent, page, update, { [LIFETIME]: '45', [UNIT]: 'minutes' });
    expect(page.html).toContain('Saved.');
    expect((await s().resources.get(identifier)).accessTokenTtl).toBe(2700);
    expect(shownValue(formWithin(page.html, update), LIFETIME)).toBe('45');
    expect(selectedOption(formWithin(page.html, update), UNIT)).toBe('minutes');

    // Beyond a day is refused, and nothing changes.
    page = await send(agent, page, update, { [LIFETIME]: '25', [UNIT]: 'hours' });
    expect(page.html).toContain('Invalid resource server');
    expect((await s().resources.get(identifier)).accessTokenTtl).toBe(2700);
  });
});
