// `idp user add | list | unlock`.
import { parseArgs } from 'node:util';
import { randomPassword } from '../security/random.js';
import type { Services } from '../services.js';
import { type CliIo, UsageError } from './cli-io.js';
import { checkNewPassword } from '../users/password-policy.js';

const actor = { actor: 'cli' };

export async function userCommand(verb: string | undefined, args: string[], io: CliIo, s: () => Promise<Services>, json: boolean): Promise<void> {
  switch (verb) {
    case 'add': {
      const { values } = parseArgs({
        args,
        options: {
          username: { type: 'string' },
          email: { type: 'string' },
          mobile: { type: 'string' },
          name: { type: 'string' },
          role: { type: 'string' },
          'generate-password': { type: 'boolean' },
        },
        strict: true,
      });
      if (!values.username || !values.email) throw new UsageError('user add needs --username and --email');
      const generated = values['generate-password'] ? randomPassword() : undefined;
      const password = generated ?? (await io.stdin()).split(/\r?\n/)[0] ?? '';
      if (!password) throw new UsageError('give the password on standard input, or use --generate-password');
      const services = await s();
      if (!generated) checkNewPassword(password, services.config.password, { username: values.username, email: values.email });
      const user = await services.users.create(
        { username: values.username, email: values.email, mobile: values.mobile, name: values.name ?? '', role: (values.role ?? 'user') as 'user', password },
        actor,
        // Whoever typed or received it is not the user: it is replaced at the first sign-in.
        { temporaryPasswordUntil: services.userAdmin.temporaryPasswordExpiry() },
      );
      const result = { id: user.id, username: user.username, email: user.email, role: user.role, ...(generated ? { password: generated } : {}) };
      io.out(json ? JSON.stringify(result) : `Created user ${user.username} (${user.role}), id ${user.id}${generated ? `\nPassword (shown once): ${generated}` : ''}`);
      return;
    }
    case 'list': {
      parseArgs({ args, options: {}, strict: true });
      const services = await s();
      const users = (await services.users.list()).map((u) => ({
        username: u.username,
        email: u.email,
        mobile: u.mobile,
        role: u.role,
        status: u.status,
        locked: services.lockout.isLocked(u),
      }));
      io.out(json ? JSON.stringify(users) : users.map((u) => `${u.username}\t${u.email}\t${u.mobile ?? '-'}\t${u.role}\t${u.status}\t${u.locked ? 'locked' : 'unlocked'}`).join('\n') || 'No users.');
      return;
    }
    case 'unlock': {
      const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
      if (positionals.length !== 1) throw new UsageError('user unlock needs exactly one username');
      const services = await s();
      const user = await services.users.findByLogin(positionals[0]!);
      if (!user) throw new UsageError(`no user ${positionals[0]}`);
      await services.lockout.unlock(user.id, actor);
      io.out(json ? JSON.stringify({ username: user.username, unlocked: true }) : `Unlocked ${user.username}`);
      return;
    }
    default:
      throw new UsageError(`unknown command: user ${verb ?? ''}`);
  }
}
