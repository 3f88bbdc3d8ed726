import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';

/** Typed internal events: services publish, listeners (the socket gateway, later) react. */
export interface AppEvents {
  'account.deleted': { accountId: string; memberId: string | null };
  /** The account's tokens so far ended (new password, reused refresh chain): its sockets go too. */
  'account.credentials-ended': { accountId: string };
  'study.started': { memberId: string; startTime: Date };
  'study.ended': { memberId: string; endTime: Date };
}

@Injectable()
export class EventBus {
  private readonly emitter = new EventEmitter();

  publish<K extends keyof AppEvents>(name: K, payload: AppEvents[K]): void {
    this.emitter.emit(name, payload);
  }

  on<K extends keyof AppEvents>(name: K, listener: (payload: AppEvents[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
