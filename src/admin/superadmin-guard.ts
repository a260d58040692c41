// The last super administrator must always be able to sign in: never locked, disabled, deleted or
// demoted by someone else, and never left without an active soft token.
import { In, IsNull, type DataSource, type Repository } from 'typeorm';
import { AppError } from '../errors/app-error.js';
import { SoftTokenEntity } from '../persistence/entities/soft-token.entity.js';
import { UserEntity } from '../persistence/entities/user.entity.js';

export class SuperadminGuard {
  readonly #users: Repository<UserEntity>;
  readonly #tokens: Repository<SoftTokenEntity>;

  constructor(ds: DataSource) {
    this.#users = ds.getRepository(UserEntity);
    this.#tokens = ds.getRepository(SoftTokenEntity);
  }

  /** Before locking, disabling, deleting or demoting `user`. */
  async beforeAccountChange(user: UserEntity): Promise<void> {
    if (user.role !== 'superadmin') return;
    const others = await this.#users.countBy({ role: 'superadmin', status: 'active', lockedAt: IsNull() });
    const selfCounts = user.status === 'active' && user.lockedAt === null ? 1 : 0;
    if (others - selfCounts < 1) throw new AppError('admin.last_superadmin');
  }

  /** Before disabling or deleting `token` of a super administrator. */
  async beforeTokenLoss(user: UserEntity, token: SoftTokenEntity): Promise<void> {
    if (user.role !== 'superadmin' || token.state !== 'active') return;
    const supers = await this.#users.findBy({ role: 'superadmin', status: 'active' });
    const withToken = await this.#tokens.findBy({ userId: In(supers.map((u) => u.id)), state: 'active' });
    const remaining = new Set(withToken.filter((t) => t.id !== token.id).map((t) => t.userId));
    if (remaining.size === 0) throw new AppError('admin.last_superadmin');
  }
}
