// What the HTTP test harnesses share: a test server whose clock the tests move, and the SMTP server
// that receives its e-mail.
import type { SmtpCapture } from './smtp-capture.js';
import type { TestClock } from './test-clock.js';
import type { TestServer } from './test-server.js';

export abstract class ServerHarness {
  protected constructor(
    readonly server: TestServer,
    readonly smtp: SmtpCapture,
    private readonly clock: TestClock,
  ) {}

  /** The time the server reads. */
  now = (): number => this.clock.now();

  /** Moves the server's clock forward. */
  tick(ms: number): void {
    this.clock.tick(ms);
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.smtp.stop();
  }
}
