// Seeds benchmark users (unique per sign-in, so no two sign-ins share a PIN or a time step).
import type { Services } from '../../src/services.js';
import { runConcurrent } from './measure.js';

export interface BenchUser {
  login: string;
  password: string;
  mobile: string;
  id: string;
}

export async function seedUsers(s: Services, count: number, prefix: string): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  await runConcurrent(count, 4, async (i) => {
    const login = `${prefix}${i}`;
    const password = `${login} bench password`;
    const mobile = `+4670${String(1_000_000 + i).slice(1)}`;
    const user = await s.users.create({ username: login, email: `${login}@bench.example`, mobile, password });
    users[i] = { login, password, mobile, id: user.id };
  });
  return users;
}
