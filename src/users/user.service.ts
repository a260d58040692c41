// The user store and the one owner of the users and credentials tables: create, look up, list, and
// every write other parts make (administration, lockout, sessions ended, passwords replaced) goes
// through here. Passwords live in the credentials table, hashed.
import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import { CredentialEntity } from '../persistence/entities/credential.entity.js';
import { UserEntity } from '../persistence/entities/user.entity.js';
import { EntityLookup } from '../persistence/entity-lookup.js';
import { KeptUpdate } from '../persistence/kept-update.js';
import { RowCache } from '../persistence/row-cache.js';
import type { Clock } from '../support/clock.js';
import type { PasswordHasher } from './password-hasher.js';
import { type NewUser, newUserSchema } from './user.schema.js';
import type { Locale } from '../i18n/locale.js';

export class UserService {
  readonly #users: Repository<UserEntity>;
  readonly #credentials: Repository<CredentialEntity>;
  readonly #user: EntityLookup<UserEntity>;
  readonly #credential: EntityLookup<CredentialEntity>;
  /** Every completed sign-in runs it (a kept statement). */
  readonly #signedIn: KeptUpdate;
  readonly #clearExpiredLock: KeptUpdate;
  readonly #takeTry: KeptUpdate;
  readonly #giveBackTry: KeptUpdate;
  readonly #lockIfReached: KeptUpdate;
  /**
   * Accounts by id, for a second, on SQLite, where one process serves the database (DESIGN §6): a
   * sign-in reads its account on every request. Not on PostgreSQL, which several processes share.
   */
  readonly #byId: RowCache<UserEntity> | undefined;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
  ) {
    this.#users = ds.getRepository(UserEntity);
    this.#credentials = ds.getRepository(CredentialEntity);
    this.#user = new EntityLookup(ds, UserEntity);
    this.#credential = new EntityLookup(ds, CredentialEntity);
    this.#byId = ds.options.type === 'postgres' ? undefined : new RowCache((user) => user.id, 1000);
    // Only an active account without a lock in force: one an administrator locked or disabled while
    // the sign-in was under way stays so (the sign-in is refused), and an expired lock goes.
    this.#signedIn = new KeptUpdate(
      ds,
      `UPDATE "users" SET "failed_logins" = 0, "locked_at" = NULL, "locked_until" = NULL, "last_login_at" = $1
        WHERE "id" = $2 AND "status" = 'active' AND ("locked_at" IS NULL OR ("locked_until" IS NOT NULL AND "locked_until" <= $1))`,
    );
    // Only the lock that was seen to have run out: a lock set since (failures sent meanwhile) stays.
    this.#clearExpiredLock = new KeptUpdate(
      ds,
      `UPDATE "users" SET "failed_logins" = 0, "locked_at" = NULL, "locked_until" = NULL
        WHERE "id" = $1 AND "locked_at" = $2 AND "locked_until" IS NOT NULL AND "locked_until" <= $3`,
    );
    // A try counted before its secret is weighed (LockoutService.take): only while the failures and
    // the tries under way are below the threshold ($2) and no lock is set.
    this.#takeTry = new KeptUpdate(ds, `UPDATE "users" SET "failed_logins" = "failed_logins" + 1 WHERE "id" = $1 AND "failed_logins" < $2 AND "locked_at" IS NULL`);
    this.#giveBackTry = new KeptUpdate(ds, `UPDATE "users" SET "failed_logins" = "failed_logins" - 1 WHERE "id" = $1 AND "failed_logins" > 0`);
    // Of failures counted at once, the one that finds the threshold ($4) reached sets the lock (over
    // one that has run out: failures after it lock again).
    this.#lockIfReached = new KeptUpdate(
      ds,
      `UPDATE "users" SET "locked_at" = $2, "locked_until" = $3, "updated_at" = $2
        WHERE "id" = $1 AND "failed_logins" >= $4 AND ("locked_at" IS NULL OR ("locked_until" IS NOT NULL AND "locked_until" <= $2))`,
      '"failed_logins"',
    );
  }

  /** `temporaryPasswordUntil`: the password was set by someone else and must be replaced by then. */
  async create(input: NewUser, ctx: AuditContext = {}, options: { temporaryPasswordUntil?: number } = {}): Promise<UserEntity> {
    const parsed = newUserSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppError('user.invalid', { field: issue.path.join('.'), reason: issue.message });
    }
    const data = parsed.data;
    const clash = await this.#users.findOne({ where: [{ username: data.username }, { email: data.email }] });
    if (clash) throw new AppError('user.exists');
    const now = this.clock.now();
    const secret = await this.hasher.hash(data.password);
    const user = this.#users.create({
      id: randomUUID(),
      username: data.username,
      email: data.email,
      emailVerified: true,
      mobile: data.mobile ?? null,
      name: data.name,
      role: data.role,
      status: 'active',
      failedLogins: 0,
      lockedAt: null,
      lockedUntil: null,
      lastLoginAt: null,
      temporaryPasswordUntil: options.temporaryPasswordUntil ?? null,
      createdAt: now,
      updatedAt: now,
    });
    await this.#write(user.id, () =>
      this.ds.transaction(async (tx) => {
        await tx.getRepository(UserEntity).insert(user);
        await tx.getRepository(CredentialEntity).insert({ id: randomUUID(), userId: user.id, type: 'password', secret, createdAt: now });
      }),
    );
    await this.audit.record({ ...ctx, type: 'user.created', outcome: 'success', subject: user.id, details: { username: user.username, role: user.role } });
    return user;
  }

  findById(id: string): Promise<UserEntity | null> {
    const load = () => this.#user.one({ id });
    return this.#byId ? this.#byId.read(id, load) : load();
  }

  /** Every write of a users row goes through here. */
  #write<R>(userId: string, run: () => Promise<R>): Promise<R> {
    return this.#byId ? this.#byId.write(userId, run) : run();
  }

  /** Finds by username or e-mail address, case-insensitively. */
  async findByLogin(login: string): Promise<UserEntity | null> {
    const key = login.trim().toLowerCase();
    if (!key) return null;
    const load = () => this.#user.one(key.includes('@') ? { email: key } : { username: key });
    return this.#byId ? this.#byId.find(load) : load();
  }

  /** Whether `password` is the account's current password (a change asks for it, or refuses it again). */
  async isCurrentPassword(userId: string, password: string): Promise<boolean> {
    const hash = await this.passwordHash(userId);
    return hash !== null && password.length <= 1024 && this.hasher.verify(hash, password);
  }

  async passwordHash(userId: string): Promise<string | null> {
    return (await this.#currentPassword(userId))?.secret ?? null;
  }

  /**
   * Stores `password` hashed with today's parameters in place of `oldHash` (same credential, so the
   * password history is unchanged). Nothing happens if the password changed meanwhile.
   */
  async rehashPassword(userId: string, oldHash: string, password: string): Promise<boolean> {
    const current = await this.#currentPassword(userId);
    if (current?.secret !== oldHash) return false;
    const secret = await this.hasher.hash(password);
    const result = await this.#credentials.update({ id: current.id, secret: oldHash }, { secret });
    return (result.affected ?? 0) > 0;
  }

  #currentPassword(userId: string): Promise<CredentialEntity | null> {
    return this.#credential.one({ userId, type: 'password' }, { by: 'createdAt', direction: 'DESC' });
  }

  list(): Promise<UserEntity[]> {
    return this.#users.find({ order: { username: 'ASC' } });
  }

  /** Writes `changes` to the account (stamped as an edit unless `edit` is false); false when there is no such account. */
  async update(userId: string, changes: Partial<UserEntity>, { edit = true } = {}): Promise<boolean> {
    const result = await this.#write(userId, () => this.#users.update({ id: userId }, edit ? { ...changes, updatedAt: this.clock.now() } : changes));
    return (result.affected ?? 0) > 0;
  }

  async remove(userId: string): Promise<void> {
    await this.#write(userId, () => this.#users.delete({ id: userId }));
  }

  /**
   * A completed sign-in: the failure count and an expired lock cleared, the time kept. False, and
   * nothing changed, when the account is locked or no longer active by now.
   */
  /** Clears a lock that has run out, if it is the one locked at `lockedAt`; false when it is not. */
  async clearExpiredLock(userId: string, lockedAt: number, now: number): Promise<boolean> {
    return (await this.#write(userId, () => this.#clearExpiredLock.run([userId, lockedAt, now]))) > 0;
  }

  async signedIn(userId: string, at: number): Promise<boolean> {
    return (await this.#write(userId, () => this.#signedIn.run([at, userId]))) > 0;
  }

  /** Counts a failure ahead of a try, if the account has one left below `threshold` and no lock; false when it has none. */
  async takeTry(userId: string, threshold: number): Promise<boolean> {
    return (await this.#write(userId, () => this.#takeTry.run([userId, threshold]))) > 0;
  }

  /** Gives back a try taken ahead that did not fail. */
  async giveBackTry(userId: string): Promise<void> {
    await this.#write(userId, () => this.#giveBackTry.run([userId]));
  }

  /** Locks the account if its failures have reached `threshold` and no lock is set; the count that locked it, or null. */
  async lockIfReached(userId: string, threshold: number, lockedAt: number, lockedUntil: number | null): Promise<number | null> {
    const [row] = await this.#write(userId, () => this.#lockIfReached.rows<{ failed_logins: number | string }>([userId, lockedAt, lockedUntil, threshold]));
    return row ? Number(row.failed_logins) : null;
  }

  /** Counts a failed factor in one statement (parallel failures all count) and answers the row after it. */
  async countFailure(userId: string): Promise<UserEntity> {
    return this.#write(userId, async () => {
      await this.#users.increment({ id: userId }, 'failedLogins', 1);
      return this.#users.findOneByOrFail({ id: userId });
    });
  }

  /** The hashes of the last `count` passwords, newest first (the history a new password is checked against). */
  async recentPasswordHashes(userId: string, count: number): Promise<string[]> {
    const rows = await this.#credentials.find({ where: { userId, type: 'password' }, order: { createdAt: 'DESC' }, take: count });
    return rows.map((r) => r.secret);
  }

  /** A new password hash becomes the current one; only the newest `keep` are kept (the history). */
  async replacePassword(userId: string, secret: string, keep: number, temporaryPasswordUntil: number | null): Promise<void> {
    const now = this.clock.now();
    await this.#credentials.insert({ id: randomUUID(), userId, type: 'password', secret, createdAt: now });
    await this.update(userId, { temporaryPasswordUntil });
    const kept = await this.#credentials.find({ where: { userId, type: 'password' }, order: { createdAt: 'DESC' }, take: Math.max(keep, 1) });
    const stale = (await this.#credentials.findBy({ userId, type: 'password' })).filter((c) => !kept.some((k) => k.id === c.id));
    if (stale.length) await this.#credentials.delete(stale.map((c) => c.id));
  }

  /** The language the user chose in My Profile; null goes back to the browser's or the default one. */
  async setLocale(userId: string, locale: Locale | null, ctx: AuditContext = {}): Promise<void> {
    const result = await this.#write(userId, () => this.#users.update({ id: userId }, { locale, updatedAt: this.clock.now() }));
    if ((result.affected ?? 0) === 0) throw new AppError('user.not_found');
    await this.audit.record({ ...ctx, type: 'user.locale_changed', outcome: 'success', subject: userId, details: { locale } });
  }
}
