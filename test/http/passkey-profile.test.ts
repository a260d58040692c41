// My Profile → Passkeys: the list (name, where it lives, added, last used), adding one by a WebAuthn
// registration bound to the My Profile sign-in, renaming, and deleting after a confirmation page —
// never the account's last way in. Each change needs a recent sign-in, is audited and e-mailed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { PortalHarness, REAUTH_SECONDS } from '../support/portal-harness.js';
import { passkeyOptionsIn, SoftAuthenticator } from '../support/soft-authenticator.js';
import type { TestServer } from '../support/test-server.js';
import { type Page, UserAgent } from '../support/user-agent.js';

const ICLOUD = 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd';

describe('My Profile: passkeys', () => {
  let p: PortalHarness;
  let server: TestServer;

  beforeAll(async () => {
    p = await PortalHarness.start();
    server = p.server;
  });

  afterAll(async () => p?.close());

  const s = () => server.app.services;
  const post = (agent: UserAgent, from: Page, action: string, fields?: Record<string, string>) => p.post(agent, from, action, fields);
  const auditOf = async (userId: string, type: string) => s().audit.list({ subject: userId, type });
  /** A POST to `path` with the CSRF token of `from`, as a forged or stale form would send it. */
  const postTo = async (agent: UserAgent, from: Page, path: string, fields: Record<string, string> = {}) =>
    agent.follow(await agent.post(`${server.url}${path}`, { _csrf: /name="_csrf" value="([^"]+)"/.exec(from.html)![1]!, ...fields }));
  const names = async (userId: string) => (await s().passkeys.list(userId)).map((k) => k.name);

  async function openAdd(agent: UserAgent): Promise<{ page: Page; options: PublicKeyCredentialCreationOptionsJSON }> {
    const page = await agent.follow(await agent.get(`${server.url}/account/passkeys/new`));
    return { page, options: passkeyOptionsIn<PublicKeyCredentialCreationOptionsJSON>(page.html, '/account/passkeys') };
  }

  /** Adds a passkey from My Profile; returns the page after it. */
  async function add(agent: UserAgent, authenticator: SoftAuthenticator, name = ''): Promise<Page> {
    const { page, options } = await openAdd(agent);
    return post(agent, page, '/account/passkeys', { response: JSON.stringify(authenticator.register(options)), name });
  }

  it('lists no passkeys at first, then adds one bound to this sign-in, named, audited and announced by e-mail', async () => {
    const { agent, page, user } = await p.user('ada');
    expect(page.html).toContain('<h2 id="passkeys">Passkeys</h2>');
    expect(page.html).toContain('You have no passkeys yet.');

    const { page: form, options } = await openAdd(agent);
    expect(form.html).toContain('<h1>Add a passkey</h1>');
    expect(form.html).toContain('src="/static/passkey.js"');
    expect(options).toMatchObject({ rp: { id: '127.0.0.1' }, user: { name: 'ada' }, attestation: 'none', excludeCredentials: [] });
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required' });

    const before = p.smtp.messages.length;
    const authenticator = new SoftAuthenticator(server.url);
    const response = JSON.stringify(authenticator.register(options));
    const done = await post(agent, form, '/account/passkeys', { response, name: 'Work laptop' });
    expect(done.url).toBe(`${server.url}/account`);
    expect(done.html).toContain('Your passkey was added.');
    expect(done.html).toContain('<strong>Work laptop</strong>');
    expect(done.html).toMatch(/This device\s*· added \d{4}-\d\d-\d\d [\d:]+ UTC · last used never/);
    const [stored] = await s().passkeys.list(user.id);
    expect(stored).toMatchObject({ name: 'Work laptop', transports: ['internal', 'hybrid'] });
    expect((await auditOf(user.id, 'passkey.registered'))[0]).toMatchObject({ actor: user.id, details: { name: 'Work laptop' } });
    await p.smtp.next('ada@example.com', before);
    expect(p.mailsTo('ada@example.com', before).join('\n')).toContain('A passkey was added to your account ("Work laptop")');

    // The answer was spent: sending it again is refused, and nothing more is stored.
    const replayed = await postTo(agent, done, '/account/passkeys', { response, name: 'Again' });
    expect(replayed.url).toBe(`${server.url}/account/passkeys/new`);
    expect(replayed.html).toContain('The new passkey could not be registered.');
    expect(await names(user.id)).toEqual(['Work laptop']);

    // The next page excludes the passkey already registered.
    const { options: next } = await openAdd(agent);
    expect(next.excludeCredentials?.map((c) => c.id)).toEqual([stored!.credentialId]);
  });

  it('names an unnamed passkey after its provider when the AAGUID is a known one', async () => {
    const { agent, user } = await p.user('bea');
    const page = await add(agent, new SoftAuthenticator(server.url, { synced: true, aaguid: ICLOUD }));
    expect(page.html).toContain('Your passkey was added.');
    expect(await names(user.id)).toEqual(['iCloud Keychain']);
    expect(page.html).toContain('iCloud Keychain (This device), synced');
  });

  it.each([
    ['made on a look-alike site', { origin: 'https://phish.example' }],
    ['for another relying party', { rpId: 'evil.example' }],
    ['answering another challenge', { challenge: Buffer.from('a challenge we never issued, long enough').toString('base64url') }],
  ])('refuses a passkey %s, and audits it', async (_, ceremony) => {
    const { agent, user } = await p.user(`cy${Math.random().toString(36).slice(2, 8)}`);
    const { page, options } = await openAdd(agent);
    const refused = await post(agent, page, '/account/passkeys', { response: JSON.stringify(new SoftAuthenticator(server.url).register(options, ceremony)) });
    expect(refused.html).toContain('The new passkey could not be registered.');
    expect(await names(user.id)).toEqual([]);
    expect((await auditOf(user.id, 'passkey.failed')).length).toBe(1);
  });

  it('refuses options another My Profile sign-in of the same account was given', async () => {
    const { agent, user, secret } = await p.user('dot');
    const other = new UserAgent();
    await p.signIn(other, 'dot', secret);
    const { options } = await openAdd(other);
    const { page } = await openAdd(agent);
    const refused = await post(agent, page, '/account/passkeys', { response: JSON.stringify(new SoftAuthenticator(server.url).register(options)) });
    expect(refused.html).toContain('The new passkey could not be registered.');
    expect(await names(user.id)).toEqual([]);
  });

  it('renames a passkey, refusing a name the account already uses', async () => {
    const { agent, user } = await p.user('eve');
    await add(agent, new SoftAuthenticator(server.url), 'Laptop');
    const page = await add(agent, new SoftAuthenticator(server.url), 'Phone');
    const [laptop] = await s().passkeys.list(user.id);
    const taken = await post(agent, page, `/account/passkeys/${laptop!.id}/rename`, { name: 'Phone' });
    expect(taken.html).toContain('You already have a passkey with that name.');
    const renamed = await post(agent, taken, `/account/passkeys/${laptop!.id}/rename`, { name: 'Old laptop' });
    expect(renamed.html).toContain('The passkey was renamed.');
    expect(renamed.html).toContain('<strong>Old laptop</strong>');
    expect(await names(user.id)).toEqual(['Old laptop', 'Phone']);
    expect((await auditOf(user.id, 'passkey.renamed'))[0]?.details).toMatchObject({ from: 'Laptop', to: 'Old laptop' });
  });

  it('deletes a passkey after a confirmation page saying what will happen; the owner is told by e-mail', async () => {
    const { agent, user } = await p.user('fay');
    const page = await add(agent, new SoftAuthenticator(server.url), 'Old phone');
    const [passkey] = await s().passkeys.list(user.id);
    expect(page.html).toContain(`href="/account/passkeys/${passkey!.id}/delete"`);

    const confirm = await agent.get(`${server.url}/account/passkeys/${passkey!.id}/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain('<h1>Delete the passkey “Old phone”?</h1>');
    expect(confirm.html).toContain('You can no longer sign in with this passkey');
    expect(confirm.html).toContain('You will sign in with your password and soft token.');
    expect(confirm.html).toContain('We will send a security notice to fay@example.com.');
    expect(confirm.html).toContain('No, back to My Profile');
    // Showing the page changed nothing.
    expect(await names(user.id)).toEqual(['Old phone']);

    const before = p.smtp.messages.length;
    const done = await post(agent, confirm, `/account/passkeys/${passkey!.id}/delete`);
    expect(done.url).toBe(`${server.url}/account`);
    expect(done.html).toContain('The passkey was deleted.');
    expect(done.html).toContain('You have no passkeys yet.');
    expect(await names(user.id)).toEqual([]);
    expect((await auditOf(user.id, 'passkey.deleted'))[0]).toMatchObject({ actor: user.id, details: { name: 'Old phone' } });
    await p.smtp.next('fay@example.com', before);
    expect(p.mailsTo('fay@example.com', before).join('\n')).toContain('A passkey was deleted from your account ("Old phone")');

    // Someone else's passkey, or one already gone: not found.
    const gone = await agent.get(`${server.url}/account/passkeys/${passkey!.id}/delete`);
    expect(gone.status).toBe(404);
    expect(gone.html).toContain('No such passkey.');
  });

  it('never deletes the last way in: with no soft token left, the last passkey stays (the soft token may go while a passkey remains)', async () => {
    const { agent, user, token } = await p.user('gus');
    const page = await add(agent, new SoftAuthenticator(server.url), 'Only key');
    // A passkey is a way in: the last soft token may now be deleted.
    const tokenGone = await post(agent, page, `/account/tokens/${token.id}/delete`, { confirm: 'yes' });
    expect(tokenGone.html).toContain('The soft token was deleted.');
    const [passkey] = await s().passkeys.list(user.id);

    const confirm = await agent.get(`${server.url}/account/passkeys/${passkey!.id}/delete`);
    expect(confirm.html).toContain('This is the last way to complete a sign-in on this account. Add another passkey or soft token first.');
    expect(confirm.html).not.toContain('Yes, delete this passkey');
    expect(confirm.html).toContain('href="/account/passkeys/new"');

    const refused = await postTo(agent, confirm, `/account/passkeys/${passkey!.id}/delete`);
    expect(refused.url).toBe(`${server.url}/account`);
    expect(refused.html).toContain('This is the last way to complete a sign-in on this account.');
    expect(await names(user.id)).toEqual(['Only key']);
    expect(await auditOf(user.id, 'passkey.deleted')).toEqual([]);

    // With a second passkey, either may go.
    await add(agent, new SoftAuthenticator(server.url), 'Spare key');
    const spare = await agent.get(`${server.url}/account/passkeys/${passkey!.id}/delete`);
    expect(spare.html).toContain('You still have 1 other passkey.');
    const done = await post(agent, spare, `/account/passkeys/${passkey!.id}/delete`);
    expect(done.html).toContain('The passkey was deleted.');
    expect(await names(user.id)).toEqual(['Spare key']);
  });

  it('asks for a recent sign-in before adding, renaming or deleting', async () => {
    const { agent, page, user } = await p.user('hal');
    const added = await add(agent, new SoftAuthenticator(server.url), 'Key');
    const [passkey] = await s().passkeys.list(user.id);
    const confirm = await agent.get(`${server.url}/account/passkeys/${passkey!.id}/delete`);
    p.tick((REAUTH_SECONDS + 1) * 1000);

    const stale = await agent.get(`${server.url}/account/passkeys/new`);
    expect(stale.status).toBe(302);
    expect(stale.location).toBe(`/account/reauth?return=${encodeURIComponent('/account/passkeys/new')}`);
    const rename = await post(agent, added, `/account/passkeys/${passkey!.id}/rename`, { name: 'Renamed' });
    expect(rename.html).toContain('For your security, confirm it is you');
    const remove = await post(agent, confirm, `/account/passkeys/${passkey!.id}/delete`);
    expect(remove.html).toContain('For your security, confirm it is you');
    expect(await names(user.id)).toEqual(['Key']);
    expect(page.html).toContain('Passkeys');
  });

  it('does not let a user touch another account’s passkey', async () => {
    const owner = await p.user('ivy');
    await add(owner.agent, new SoftAuthenticator(server.url), 'Mine');
    const [passkey] = await s().passkeys.list(owner.user.id);
    const { agent, page } = await p.user('jon');
    const rename = await postTo(agent, page, `/account/passkeys/${passkey!.id}/rename`, { name: 'Yours' });
    expect(rename.html).toContain('No such passkey.');
    const confirm = await agent.get(`${server.url}/account/passkeys/${passkey!.id}/delete`);
    expect(confirm.status).toBe(404);
    const remove = await postTo(agent, page, `/account/passkeys/${passkey!.id}/delete`);
    expect(remove.html).toContain('No such passkey.');
    expect(await names(owner.user.id)).toEqual(['Mine']);
  });
});
