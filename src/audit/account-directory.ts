// People as the audit trail and the error pages name them: usernames for ids (and back), and an
// account's lock as it stands. Read-only; the users' own services change them.
import { In, type DataSource, type Repository } from 'typeorm';
import { UserEntity } from '../persistence/entities/user.entity.js';
import type { Clock } from '../support/clock.js';

/** An account's lock: `until` epoch ms and `left` ms from now, or null when it lasts until an administrator unlocks it. */
export interface AccountLock {
  until: number | null;
  left: number | null;
}

export class AccountDirectory {
  readonly #users: Repository<UserEntity>;

  constructor(ds: DataSource, private readonly clock: Clock) {
    this.#users = ds.getRepository(UserEntity);
  }

  /** Usernames by id; ids of accounts deleted since are missing from the map. */
  async names(ids: Iterable<string | null | undefined>): Promise<Map<string, string>> {
    const wanted = [...new Set([...ids].filter((id): id is string => typeof id === 'string' && id.length > 0 && id.length <= 36))];
    if (!wanted.length) return new Map();
    const rows = await this.#users.find({ select: { id: true, username: true }, where: { id: In(wanted) } });
    return new Map(rows.map((r) => [r.id, r.username]));
  }

  /** The id of the account with this username or e-mail address, if any. */
  async idOf(login: string): Promise<string | null> {
    const key = login.trim().toLowerCase();
    if (!key || key.length > 254) return null;
    const row = await this.#users.findOne({ select: { id: true }, where: key.includes('@') ? { email: key } : { username: key } });
    return row?.id ?? null;
  }

  /** The account's lock now in force, by id or by login; null when it is not locked (or unknown). */
  async lock(idOrLogin: { id?: string | null; login?: string | null }): Promise<AccountLock | null> {
    const id = idOrLogin.id ?? (idOrLogin.login ? await this.idOf(idOrLogin.login) : null);
    if (!id || id.length > 36) return null;
    const user = await this.#users.findOne({ select: { id: true, lockedAt: true, lockedUntil: true }, where: { id } });
    if (!user || user.lockedAt === null) return null;
    if (user.lockedUntil !== null && user.lockedUntil <= this.clock.now()) return null;
    return { until: user.lockedUntil, left: user.lockedUntil === null ? null : user.lockedUntil - this.clock.now() };
  }
}
