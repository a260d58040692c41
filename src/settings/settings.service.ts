// Administrator settings: validated, stored, audited, and applied to the live policy objects that
// the services read, so a change takes effect at once here and within seconds in other processes.
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import { SettingEntity } from '../persistence/entities/setting.entity.js';
import type { Clock } from '../support/clock.js';
import { type SettingKey, settingKeys, settingsRegistry } from './settings.registry.js';

/** How often each process reads the stored settings again (changes made through another process). */
export const SETTINGS_REFRESH_MS = 5000;

export interface SettingView {
  key: SettingKey;
  label: string;
  value: unknown;
  defaultValue: unknown;
  overridden: boolean;
}

export class SettingsService {
  readonly #repo: Repository<SettingEntity>;
  readonly #defaults: Record<SettingKey, unknown>;
  #overridden = new Set<SettingKey>();

  constructor(
    ds: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly config: Config,
  ) {
    this.#repo = ds.getRepository(SettingEntity);
    this.#defaults = Object.fromEntries(settingKeys.map((k) => [k, settingsRegistry[k].get(config)])) as Record<SettingKey, unknown>;
  }

  /** Reads the stored values and applies them (at start, and periodically for other processes' changes). */
  async load(): Promise<void> {
    const rows = await this.#repo.find();
    const stored = new Map(rows.map((r) => [r.key, r.value]));
    this.#overridden = new Set();
    for (const key of settingKeys) {
      const raw = stored.get(key);
      let value = this.#defaults[key];
      if (raw !== undefined) {
        const parsed = settingsRegistry[key].schema.safeParse(JSON.parse(raw));
        if (parsed.success) {
          value = parsed.data;
          this.#overridden.add(key);
        }
      }
      settingsRegistry[key].set(this.config, value);
    }
  }

  list(): SettingView[] {
    return settingKeys.map((key) => ({
      key,
      label: settingsRegistry[key].label,
      value: settingsRegistry[key].get(this.config),
      defaultValue: this.#defaults[key],
      overridden: this.#overridden.has(key),
    }));
  }

  values(): Record<SettingKey, unknown> {
    return Object.fromEntries(settingKeys.map((k) => [k, settingsRegistry[k].get(this.config)])) as Record<SettingKey, unknown>;
  }

  /** Validates every value first; stores nothing unless all are valid. */
  async update(patch: Record<string, unknown>, ctx: AuditContext = {}): Promise<void> {
    const entries = Object.entries(patch);
    if (!entries.length) throw new AppError('settings.invalid', { key: '-', reason: 'nothing to change' });
    const valid: Array<[SettingKey, unknown]> = [];
    for (const [key, value] of entries) {
      if (!(key in settingsRegistry)) throw new AppError('settings.invalid', { key, reason: 'unknown setting' });
      const parsed = settingsRegistry[key as SettingKey].schema.safeParse(value);
      if (!parsed.success) throw new AppError('settings.invalid', { key, reason: parsed.error.issues[0]?.message ?? 'invalid value' });
      valid.push([key as SettingKey, parsed.data]);
    }
    const before = this.values();
    const now = this.clock.now();
    for (const [key, value] of valid) {
      await this.#repo.upsert({ key, value: JSON.stringify(value), updatedAt: now, updatedBy: ctx.actor ?? null }, ['key']);
    }
    await this.load();
    const changes = Object.fromEntries(valid.map(([k, v]) => [k, { from: before[k], to: v }]));
    await this.audit.record({ ...ctx, type: 'settings.changed', outcome: 'success', details: changes });
  }

  /** Back to the configuration default. */
  async reset(key: string, ctx: AuditContext = {}): Promise<void> {
    if (!(key in settingsRegistry)) throw new AppError('settings.invalid', { key, reason: 'unknown setting' });
    await this.#repo.delete({ key });
    await this.load();
    await this.audit.record({ ...ctx, type: 'settings.reset', outcome: 'success', details: { key } });
  }
}
