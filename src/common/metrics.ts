import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One Prometheus registry per application (not prom-client's global one), so several instances in
 * one process (the tests) never collide on metric names. Features register their own metrics on it.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'monta_' });
  }
}
