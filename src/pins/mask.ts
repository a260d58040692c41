// Shows where a PIN went without revealing the whole number or address.
import type { PinChannel } from '../persistence/entities/one-time-pin.entity.js';

export function maskDestination(channel: PinChannel, destination: string): string {
  if (channel === 'sms') return `${destination.slice(0, 2)}${'•'.repeat(Math.max(1, destination.length - 6))}${destination.slice(-4)}`;
  const [local = '', domain = ''] = destination.split('@');
  return `${local.slice(0, 1)}${'•'.repeat(Math.max(1, local.length - 1))}@${domain}`;
}
