// The clock a test server reads, moved forward by the tests (expiry, replay windows, lockouts).
export class TestClock {
  #offset = 0;

  now = (): number => Date.now() + this.#offset;

  tick(ms: number): void {
    this.#offset += ms;
  }
}
