// One activation of a soft token: the link ticket, the QR ticket + password and the manual
// activation code, all single use together, with a try limit. Tickets are stored as hashes;
// the password and activation code are sealed because the page shows them again.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

@Entity({ name: 'token_activations' })
@Index('idx_activations_token', ['tokenId'])
export class TokenActivationEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'token_id' }) tokenId!: string;
  @Column({ type: 'varchar', length: 64, name: 'link_ticket_hash', unique: true }) linkTicketHash!: string;
  @Column({ type: 'varchar', length: 64, name: 'qr_ticket_hash', unique: true }) qrTicketHash!: string;
  /** Sealed JSON: { linkTicket, qrTicket, password, activationCode } for re-display on the enrolment page. */
  @Column({ type: 'text' }) sealed!: string;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @EpochColumn({ name: 'expires_at' }) expiresAt!: number;
  @EpochColumn({ name: 'used_at', nullable: true }) usedAt!: number | null;
  @EpochColumn({ name: 'voided_at', nullable: true }) voidedAt!: number | null;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
}
