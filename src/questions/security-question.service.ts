// Security questions (Q&A): chosen by the user, answers normalised and hashed with argon2id,
// never shown again; a challenge asks a random subset and needs every answer right.
import { randomInt, randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import { SecurityAnswerEntity } from '../persistence/entities/security-answer.entity.js';
import { EntityLookup } from '../persistence/entity-lookup.js';
import type { Clock } from '../support/clock.js';
import type { PasswordHasher } from '../users/password-hasher.js';
import { normalizeAnswer } from './normalize-answer.js';

export interface QuestionAnswer {
  question: string;
  answer: string;
}

export class SecurityQuestionService {
  readonly #repo: Repository<SecurityAnswerEntity>;
  readonly #answers: EntityLookup<SecurityAnswerEntity>;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    readonly policy: Config['questions'],
  ) {
    this.#repo = ds.getRepository(SecurityAnswerEntity);
    this.#answers = new EntityLookup(ds, SecurityAnswerEntity);
  }

  /** The questions a user has chosen (never the answers). */
  async questionsOf(userId: string): Promise<string[]> {
    const rows = await this.#repo.find({ where: { userId }, order: { createdAt: 'ASC', question: 'ASC' } });
    return rows.map((r) => r.question);
  }

  async hasEnough(userId: string): Promise<boolean> {
    return (await this.#answers.count({ userId })) >= this.policy.minCount;
  }

  /** Replaces all of a user's questions and answers at once. */
  async set(userId: string, entries: QuestionAnswer[], ctx: AuditContext = {}): Promise<void> {
    const cleaned = entries
      .map((e) => ({ question: e.question.trim().replace(/\s+/g, ' '), answer: normalizeAnswer(e.answer) }))
      .filter((e) => e.question || e.answer);
    if (cleaned.length < this.policy.minCount) throw new AppError('qa.too_few', { count: this.policy.minCount });
    if (cleaned.some((e) => e.question.length < 5 || e.question.length > 200)) throw new AppError('qa.invalid_question');
    if (cleaned.some((e) => e.answer.length < 2 || e.answer.length > 200)) throw new AppError('qa.invalid_answer');
    if (new Set(cleaned.map((e) => e.question.toLowerCase())).size !== cleaned.length) throw new AppError('qa.duplicate_question');
    if (new Set(cleaned.map((e) => e.answer)).size !== cleaned.length) throw new AppError('qa.duplicate_answer');
    const now = this.clock.now();
    const rows = await Promise.all(
      cleaned.map(async (e, i) => ({ id: randomUUID(), userId, question: e.question, answerHash: await this.hasher.hash(e.answer), createdAt: now + i })),
    );
    await this.ds.transaction(async (tx) => {
      const repo = tx.getRepository(SecurityAnswerEntity);
      await repo.delete({ userId });
      await repo.insert(rows);
    });
    await this.audit.record({ ...ctx, type: 'qa.changed', outcome: 'success', subject: userId, details: { count: rows.length } });
  }

  /** A random subset of the user's questions to ask. */
  async challenge(userId: string): Promise<string[]> {
    const questions = await this.questionsOf(userId);
    for (let i = questions.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [questions[i], questions[j]] = [questions[j]!, questions[i]!];
    }
    return questions.slice(0, this.policy.askCount);
  }

  /** Every asked question must be answered right; all are checked so timing says nothing. */
  async verify(userId: string, asked: string[], answers: string[], ctx: AuditContext = {}): Promise<void> {
    const rows = await this.#repo.findBy({ userId });
    const results = await Promise.all(
      asked.map(async (question, i) => {
        const row = rows.find((r) => r.question === question);
        const answer = normalizeAnswer(answers[i] ?? '');
        return row ? this.hasher.verify(row.answerHash, answer) : this.hasher.verifyDummy(answer);
      }),
    );
    const ok = asked.length > 0 && results.every(Boolean);
    await this.audit.record({ ...ctx, type: 'qa.challenge', outcome: ok ? 'success' : 'failure', subject: userId });
    if (!ok) throw new AppError('qa.invalid');
    await this.#rehash(userId, rows, asked, answers, ctx);
  }

  /** Right answers hashed with other argon2 parameters are hashed again with today's, now that they are known. */
  async #rehash(userId: string, rows: SecurityAnswerEntity[], asked: string[], answers: string[], ctx: AuditContext): Promise<void> {
    const stale = asked.flatMap((question, i) => {
      const row = rows.find((r) => r.question === question);
      return row && this.hasher.needsRehash(row.answerHash) ? [{ row, answer: normalizeAnswer(answers[i] ?? '') }] : [];
    });
    if (stale.length === 0) return;
    for (const { row, answer } of stale) {
      await this.#repo.update({ id: row.id, answerHash: row.answerHash }, { answerHash: await this.hasher.hash(answer) });
    }
    await this.audit.record({ ...ctx, type: 'qa.rehashed', outcome: 'success', subject: userId, details: { count: stale.length } });
  }
}
