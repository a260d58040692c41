// Opens what the commands need — configuration, database (migrated), services — and closes it.
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/config.js';
import { createViews } from '../http/views.js';
import { openDatabase } from '../persistence/data-source.js';
import { createServices, type Services } from '../services.js';

export async function withServices<T>(env: Record<string, string | undefined>, run: (s: Services, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(env);
  const ds = await openDatabase(config.database);
  const services = await createServices(config, ds, createViews(undefined, config));
  try {
    return await run(services, config);
  } finally {
    await services.close();
  }
}
