import * as oidc from 'openid-client';
import { pinFrom } from '../test/support/smtp-capture.js';
import { isCallback, REDIRECT_URI } from '../test/support/relying-party.js';
import { UserAgent, type Transport } from '../test/support/user-agent.js';
import { keepAliveTransport } from './support/keep-alive-transport.js';
import { startBenchServer } from './support/bench-server.js';
import { seedUsers } from './support/users.js';
const times = new Map<string, number[]>();
let seq = 0;
const timed: Transport = async (url, req) => {
  const t0 = performance.now();
  const r = await keepAliveTransport(url, req);
  const key = `${seq++} ${req.method} ${new URL(url).pathname.replace(/\/[A-Za-z0-9_-]{20,}/g, '/:id')}`;
  (times.get(key) ?? times.set(key, []).get(key)!).push(performance.now() - t0);
  return r;
};
const bench = await startBenchServer({ REQUIRE_SOFT_TOKEN: 'false', PIN_DELIVERY: 'sms' });
const users = await bench.seed((s) => seedUsers(s, 60, 'pinuser'));
const tok: number[] = [];
for (const user of users) {
  seq = 0;
  const agent = new UserAgent({}, timed);
  const verifier = oidc.randomPKCECodeVerifier(); const state = oidc.randomState(); const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(bench.rp, { redirect_uri: REDIRECT_URI, scope: 'openid email', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce });
  const loginPage = await agent.follow(await agent.get(url.href));
  const factorPage = await agent.follow(await agent.submit(loginPage, '/step/password', { login: user.login, password: user.password }));
  const pin = pinFrom((await bench.sms.next(user.mobile)).text);
  const done = await agent.follow(await agent.submit(factorPage, '/step/pin', { action: 'verify', pin }), isCallback);
  const t0 = performance.now();
  await oidc.authorizationCodeGrant(bench.rp, new URL(done.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  tok.push(performance.now() - t0);
}
const med = (a: number[]) => a.slice(10).sort((x, y) => x - y)[Math.floor((a.length - 10) / 2)]!;
for (const [k, v] of times) console.log(med(v).toFixed(2).padStart(7), k);
console.log(med(tok).toFixed(2).padStart(7), 'token (openid-client)');
await bench.stop();
