// Starts the server: configuration, migrations, demo data in development, then listen.
import { createServer } from 'node:http';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { seedDemo } from './demo/demo-seed.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  if (config.demo) {
    const seed = await seedDemo(config, app.services);
    if (seed.user) {
      // Printed once, on the console only: this is the only copy of the password.
      console.log(`\n  Demo user created: username "${seed.user.username}", password "${seed.user.password}"\n`);
    }
    console.log(`  Demo application: ${config.issuer}/demo   Outbox (PINs, e-mails): ${config.issuer}/dev/outbox\n`);
  }
  const server = createServer(app.callback());
  server.listen(config.port, () => app.log.info({ issuer: config.issuer, port: config.port, database: config.database.type }, 'identity provider listening'));
  const stop = () => {
    server.close(() => void app.close().then(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
