import { Clock } from '../../src/common/clock.js';

/** The service's clock, set by the test; real time until `set` is called. */
export class ManualClock extends Clock {
  private at: Date | null = null;

  now(): Date {
    return this.at ? new Date(this.at) : new Date();
  }

  set(iso: string): void {
    this.at = new Date(iso);
  }

  advance(ms: number): void {
    this.at = new Date(this.now().getTime() + ms);
  }

  reset(): void {
    this.at = null;
  }
}

/** Real time moved by `offsetMs`, which the test sets by hand. */
export class SteppingClock extends Clock {
  offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}
