// The last super administrator must always be able to sign in: never locked, disabled, deleted or
// demoted by someone else, and never left without a way in (an active soft token or a passkey).
import { In, IsNull, type DataSource, type Repository } from 'typeorm';
import { AppError } from '../errors/app-error.js';
import { PasskeyEntity } from '../persistence/entities/passkey.entity.js';
import { SoftTokenEntity } from '../persistence/entities/soft-token.entity.js';
import { UserEntity } from '../persistence/entities/user.entity.js';

export class SuperadminGuard {
  readonly #users: Repository<UserEntity>;
  readonly #tokens: Repository<SoftTokenEntity>;
  readonly #passkeys: Repository<PasskeyEntity>;

  constructor(ds: DataSource) {
    this.#users = ds.getRepository(UserEntity);
    this.#tokens = ds.getRepository(SoftTokenEntity);
    this.#passkeys = ds.getRepository(PasskeyEntity);
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
    await this.#keepsWayIn({ tokenId: token.id });
  }

  /** Before deleting `passkey` of a super administrator. */
  async beforePasskeyLoss(user: UserEntity, passkey: PasskeyEntity): Promise<void> {
    if (user.role !== 'superadmin') return;
    await this.#keepsWayIn({ passkeyId: passkey.id });
  }

  /** Some active super administrator keeps an active soft token or a passkey once `lost` is gone. */
  async #keepsWayIn(lost: { tokenId?: string; passkeyId?: string }): Promise<void> {
    const supers = (await this.#users.findBy({ role: 'superadmin', status: 'active' })).map((u) => u.id);
    if (supers.length === 0) throw new AppError('admin.last_superadmin');
    const tokens = await this.#tokens.find({ select: { id: true, userId: true }, where: { userId: In(supers), state: 'active' } });
    const passkeys = await this.#passkeys.find({ select: { id: true, userId: true }, where: { userId: In(supers) } });
    const remaining = [...tokens.filter((t) => t.id !== lost.tokenId), ...passkeys.filter((p) => p.id !== lost.passkeyId)];
    if (remaining.length === 0) throw new AppError('admin.last_superadmin');
  }
}
