import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

/** The instance's way down: draining (readiness 503, still serving), then closing (no new connections). */
@Injectable()
export class ShutdownState {
  draining = false;
  closing = false;
}

/** Once closing, every answer ends its connection: a keep-alive one would hold the server open. */
export function closeConnectionsWhenClosing(fastify: FastifyInstance, state: ShutdownState): void {
  // onSend: the answers to requests already in flight when closing began need it as well.
  fastify.addHook('onSend', async (_request, reply, payload) => {
    if (state.closing) reply.header('connection', 'close');
    return payload;
  });
}

interface Usage {
  active: number;
  served: number;
}

/**
 * Knows which connections sit idle between two requests. Node's `closeIdleConnections` also
 * closes a connection accepted a moment ago whose request has not been read yet: that client
 * would see its accepted request fail.
 */
export class ConnectionTracker {
  private readonly usage = new Map<Socket, Usage>();

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.usage.set(socket, { active: 0, served: 0 });
      socket.once('close', () => this.usage.delete(socket));
    });
    server.on('request', (request, response) => {
      const usage = this.usage.get(request.socket);
      if (!usage) return;
      usage.active += 1;
      response.once('close', () => {
        usage.active -= 1;
        usage.served += 1;
      });
    });
    // An upgraded connection (socket.io's websocket) is socket.io's to close.
    server.on('upgrade', (request: { socket: Socket }) => this.usage.delete(request.socket));
  }

  /**
   * Stops listening (new connections are refused), then ends connections once they sit idle after
   * an answer, until the server is closed. Requests in flight carry on.
   */
  stopListening(state: ShutdownState): void {
    state.closing = true;
    const sweep = () => {
      for (const [socket, usage] of this.usage) if (usage.active === 0 && usage.served > 0) socket.end();
    };
    const timer = setInterval(sweep, 100).unref();
    // net's close, not http's: that one would also end connections whose request is still arriving.
    NetServer.prototype.close.call(this.server, () => clearInterval(timer));
    sweep();
  }
}
