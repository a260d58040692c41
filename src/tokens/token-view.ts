// What the pages and the API show of a soft token: never its secret.
import type { SoftTokenEntity } from '../persistence/entities/soft-token.entity.js';

export interface TokenView {
  id: string;
  name: string;
  serial: string;
  kind: string;
  state: string;
  registrationPending: boolean;
  activationExpiresAt: number | null;
  activationExpired: boolean;
  /** Disabled with its secret intact (not lost): it may be enabled again. */
  canEnable: boolean;
  drift: number;
  failedAttempts: number;
  lastUsedAt: number | null;
  createdAt: number;
}

export function tokenView(t: SoftTokenEntity, now: number): TokenView {
  return {
    id: t.id,
    name: t.name,
    serial: t.serial,
    kind: t.kind,
    state: t.state,
    registrationPending: t.registrationPending,
    activationExpiresAt: t.activationExpiresAt,
    activationExpired: t.state === 'pending' && t.activationExpiresAt !== null && t.activationExpiresAt <= now,
    canEnable: t.state === 'disabled' && t.secret !== null && t.activatedAt !== null,
    drift: t.drift,
    failedAttempts: t.failedAttempts,
    lastUsedAt: t.lastUsedAt,
    createdAt: t.createdAt,
  };
}
