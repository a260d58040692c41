import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/persistence/data-source.js';
import { UserEntity } from '../src/persistence/entities/user.entity.js';
const ds = await openDatabase({ type: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'q-')), 'x.sqlite') });
const repo = ds.getRepository(UserEntity);
await ds.query(`INSERT INTO users (id, username, email, role, status, created_at, failed_logins) VALUES ('u1','alice','a@x','user','active',1,0)`).catch(e => console.log(e.message));
async function time(name: string, fn: () => Promise<unknown>) {
  for (let i = 0; i < 500; i++) await fn();
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < 3000; i++) await fn();
  const c = process.cpuUsage(c0);
  console.log(name, ((c.user + c.system) / 3000).toFixed(1), 'µs cpu', ((performance.now() - t0) / 3).toFixed(1), 'µs wall');
}
await time('typeorm findOneBy', () => repo.findOneBy({ id: 'u1' }));
await time('raw query', () => ds.query('SELECT * FROM users WHERE id = ?', ['u1']));
await time('typeorm update', () => repo.update({ id: 'u1' }, { failedLogins: 0, lastLoginAt: Date.now() }));
await time('raw update', () => ds.query('UPDATE users SET failed_logins = ?, last_login_at = ? WHERE id = ?', [0, Date.now(), 'u1']));
await ds.destroy();
