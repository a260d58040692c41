// What My Profile, the admin console and the admin API show of a passkey: never its key or counter.
import type { PasskeyEntity } from '../persistence/entities/passkey.entity.js';
import { type DeviceHint, deviceHint } from './passkey-devices.js';

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  device: DeviceHint;
  /** Synced to the owner's other devices by a passkey provider (backup state). */
  synced: boolean;
  aaguid: string;
  transports: string[];
}

export function passkeyView(p: PasskeyEntity): PasskeyView {
  return { id: p.id, name: p.name, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt, device: deviceHint(p), synced: p.backupState, aaguid: p.aaguid, transports: [...p.transports] };
}
