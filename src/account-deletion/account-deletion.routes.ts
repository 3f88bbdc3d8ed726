import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../common/clock.js';
import { databaseUnavailability } from '../database/errors.js';
import type { AccountDeletionService } from './account-deletion.service.js';
import { PageSigner } from './page-signer.js';
import { confirmPage, donePage, errorPage, type Lang, pickLang, signInPage, STYLE_HASH } from './pages.js';

export const PAGE_PATH = '/account/delete';
const COOKIE = 'monta_delete_session';

export interface PageOptions {
  service: AccountDeletionService;
  signer: PageSigner;
  clock: Clock;
  ttlSeconds: number;
  retryAfterSeconds: number;
}

const CSP = [
  "default-src 'none'",
  `style-src ${STYLE_HASH}`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * `/account/delete`: plain Fastify routes outside the API prefix and its JSON envelope. Sign in,
 * confirm, erased. CSRF: a SameSite=Strict HttpOnly cookie holds an opaque session id; every form
 * carries a token signed for that id, and the confirmation a signed proof of the sign-in bound to it.
 */
export function accountDeletionRoutes(options: PageOptions) {
  return async (fastify: FastifyInstance): Promise<void> => {
    // Only here: the API keeps refusing form bodies (415) as before.
    fastify.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_request, body, done) => done(null, new URLSearchParams(body as string)),
    );
    fastify.get(PAGE_PATH, async (request, reply) => {
      const lang = pickLang(request.headers['accept-language']);
      const session = PageSigner.sessionId();
      setSession(reply, request, session, options.ttlSeconds);
      return page(reply, 200, signInPage(lang, csrfFor(options, session)));
    });
    fastify.post(PAGE_PATH, async (request, reply) => {
      const lang = pickLang(request.headers['accept-language']);
      try {
        return await handlePost(options, request, reply, lang);
      } catch (error) {
        if (databaseUnavailability(error)) {
          reply.header('retry-after', String(options.retryAfterSeconds));
          request.log.warn({ err: error }, 'account deletion page: database unavailable');
          return page(reply, 503, errorPage(lang, 'unavailable'));
        }
        request.log.error({ err: error }, 'account deletion page failed');
        return page(reply, 500, errorPage(lang, 'failed'));
      }
    });
  };
}

async function handlePost(options: PageOptions, request: FastifyRequest, reply: FastifyReply, lang: Lang) {
  const now = options.clock.now().getTime();
  const form = request.body instanceof URLSearchParams ? request.body : undefined;
  const session = readCookie(request.headers.cookie, COOKIE);
  // Defence in depth beside the cookie and the token. Under `Referrer-Policy: no-referrer` a browser
  // sends `Origin: null` even from this page, so Sec-Fetch-Site is the reliable word where present.
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  const sameOrigin =
    (site === undefined || site === 'same-origin') &&
    (origin === undefined || origin === 'null' || origin === `${request.protocol}://${request.host}`);
  const csrf = options.signer.verify('csrf', form?.get('csrf') ?? undefined, now);
  // A cross-site post carries neither the SameSite=Strict cookie nor a token signed for it.
  if (!form || !session || !sameOrigin || !csrf || csrf[0] !== session) {
    return page(reply, 403, errorPage(lang, 'expired'));
  }
  if (form.get('step') === 'sign-in') {
    const email = form.get('email') ?? '';
    const outcome = await options.service.signIn(request.ip, email, form.get('password') ?? '');
    if (outcome.ok) {
      const expiresAt = now + options.ttlSeconds * 1000;
      const proof = options.signer.sign('proof', [outcome.accountId, session, String(outcome.generation)], expiresAt);
      return page(reply, 200, confirmPage(lang, csrfFor(options, session), proof, outcome.email));
    }
    if (outcome.reason === 'limited') {
      reply.header('retry-after', String(outcome.retryAfterSeconds));
      return page(reply, 429, signInPage(lang, csrfFor(options, session), 'limited', email.slice(0, 254)));
    }
    const status = outcome.reason === 'social' ? 400 : 401;
    return page(reply, status, signInPage(lang, csrfFor(options, session), outcome.reason, email.slice(0, 254)));
  }
  if (form.get('step') === 'confirm') {
    const proof = options.signer.verify('proof', form.get('proof') ?? undefined, now);
    if (!proof || proof[1] !== session) return page(reply, 403, errorPage(lang, 'expired'));
    const retryAfter = await options.service.limit(request.ip);
    if (retryAfter !== undefined) {
      reply.header('retry-after', String(retryAfter));
      return page(reply, 429, errorPage(lang, 'limited'));
    }
    const erased = await options.service.erase(proof[0]!, Number(proof[2]));
    if (!erased) return page(reply, 410, errorPage(lang, 'expired'));
    reply.header('set-cookie', `${COOKIE}=; Path=${PAGE_PATH}; Max-Age=0; HttpOnly; SameSite=Strict`);
    return page(reply, 200, donePage(lang));
  }
  return page(reply, 400, errorPage(lang, 'expired'));
}

const csrfFor = (options: PageOptions, session: string) =>
  options.signer.sign('csrf', [session], options.clock.now().getTime() + options.ttlSeconds * 1000);

function setSession(reply: FastifyReply, request: FastifyRequest, session: string, ttlSeconds: number): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header(
    'set-cookie',
    `${COOKIE}=${session}; Path=${PAGE_PATH}; Max-Age=${ttlSeconds}; HttpOnly; SameSite=Strict${secure}`,
  );
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=') || undefined;
  }
  return undefined;
}

function page(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .status(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CSP,
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'cross-origin-opener-policy': 'same-origin',
      vary: 'Accept-Language, Cookie',
    })
    .send(html);
}
