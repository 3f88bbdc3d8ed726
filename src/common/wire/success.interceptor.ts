import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { dialectOf } from './dialect.js';

const RAW = 'wire:raw';
/** The handler's result is the whole body (health checks, OpenAPI); no envelope. */
export const RawResponse = () => SetMetadata(RAW, true);

/**
 * The success envelope `{status:"success",data}`. The Nest dialect forces HTTP 200 and drops `data`
 * when a handler returns nothing (as the original); the Spring dialect keeps the route's status.
 */
@Injectable()
export class SuccessInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || this.reflector.get<boolean>(RAW, context.getHandler())) return next.handle();
    const http = context.switchToHttp();
    const dialect = dialectOf(http.getRequest<FastifyRequest>().url);
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      map((data: unknown) => {
        if (dialect === 'nest') reply.status(200);
        if (reply.statusCode === 204) return undefined;
        return data === undefined ? { status: 'success' } : { status: 'success', data };
      }),
    );
  }
}
