import { Injectable } from '@nestjs/common';

/** Set on SIGTERM: readiness answers 503 so load balancers stop sending while requests still succeed. */
@Injectable()
export class ShutdownState {
  draining = false;
}
