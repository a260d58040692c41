// One security question of a user with its answer, normalised and hashed like a password.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

@Entity({ name: 'security_answers' })
@Index('idx_security_answers_user', ['userId'])
export class SecurityAnswerEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  @Column({ type: 'varchar', length: 200 }) question!: string;
  @Column({ type: 'text', name: 'answer_hash' }) answerHash!: string;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
}
