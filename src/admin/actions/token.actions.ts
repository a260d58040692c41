// Administrative actions on a user's soft tokens, shared by the admin pages and the JSON API.
import type { SoftTokenEntity } from '../../persistence/entities/soft-token.entity.js';
import type { Services } from '../../services.js';
import { type AdminContext, authorize } from './admin-context.js';
import { type TokenView, tokenView } from '../../tokens/token-view.js';

export class TokenActions {
  constructor(private readonly s: Services) {}

  view(t: SoftTokenEntity): TokenView {
    return tokenView(t, this.s.clock.now());
  }

  async list(admin: AdminContext, userId: string) {
    authorize(admin, 'tokens.read');
    await this.s.userAdmin.get(userId);
    return (await this.s.tokens.list(userId)).map((t) => this.view(t));
  }

  /** Assigns a softtoken-app token; the activation e-mail goes to the user. */
  async assign(admin: AdminContext, userId: string, name?: string) {
    const ctx = authorize(admin, 'tokens.write');
    const user = await this.s.userAdmin.get(userId);
    return this.view(await this.s.tokenLifecycle.assign(user, name, ctx));
  }

  async reactivate(admin: AdminContext, userId: string, tokenId: string) {
    const ctx = authorize(admin, 'tokens.help');
    const user = await this.s.userAdmin.get(userId);
    // Help desk reactivates the token of a user who lost the device: the last one included.
    const enrolment = await this.s.tokenLifecycle.reactivate(user, tokenId, ctx, { allowLast: true });
    return { token: this.view(await this.s.tokens.get(userId, tokenId)), otpauthUri: enrolment?.uri };
  }

  /** Completes a manual activation with the registration code the user reads out. */
  async complete(admin: AdminContext, userId: string, tokenId: string, registrationCode: string) {
    const ctx = authorize(admin, 'tokens.help');
    await this.s.userAdmin.get(userId);
    return this.view(await this.s.tokens.completeRegistration(userId, tokenId, registrationCode, ctx));
  }

  async reset(admin: AdminContext, userId: string, tokenId: string, first: string, second: string) {
    const ctx = authorize(admin, 'tokens.help');
    const user = await this.s.userAdmin.get(userId);
    const drift = await this.s.tokenLifecycle.resync(user, tokenId, first, second, ctx);
    return { drift, token: this.view(await this.s.tokens.get(userId, tokenId)) };
  }

  async disable(admin: AdminContext, userId: string, tokenId: string, allowLast = false) {
    const ctx = authorize(admin, 'tokens.write');
    const user = await this.s.userAdmin.get(userId);
    await this.s.tokenLifecycle.disable(user, tokenId, ctx, { allowLast });
  }

  async enable(admin: AdminContext, userId: string, tokenId: string) {
    const ctx = authorize(admin, 'tokens.write');
    const user = await this.s.userAdmin.get(userId);
    await this.s.tokenLifecycle.enable(user, tokenId, ctx);
  }

  /** Deleting the last token of an account that needs one takes `allowLast`: the user re-enrols. */
  async delete(admin: AdminContext, userId: string, tokenId: string, allowLast = false) {
    const ctx = authorize(admin, 'tokens.write');
    const user = await this.s.userAdmin.get(userId);
    await this.s.tokenLifecycle.delete(user, tokenId, ctx, { allowLast });
  }
}
