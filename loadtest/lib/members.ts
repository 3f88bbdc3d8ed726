import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** One test member: the access token it connects with and the member id the room shows. */
export interface LoadMember {
  token: string;
  memberId: string;
}

/** The CSV header. Artillery reads it with `skipHeader: true` and `fields: [token, member_id]`. */
const HEADER = 'token,member_id';

export function writeMembersCsv(path: string, members: LoadMember[]): void {
  writeFileSync(path, [HEADER, ...members.map((m) => `${m.token},${m.memberId}`)].join('\n') + '\n', { mode: 0o600 });
}

export function readMembersCsv(path: string): LoadMember[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter(Boolean);
  if (lines[0] !== HEADER) throw new Error(`${path}: expected the header "${HEADER}", got ${JSON.stringify(lines[0])}`);
  return lines.slice(1).map((line, i) => {
    const [token, memberId] = line.split(',');
    if (!token || !memberId) throw new Error(`${path}:${i + 2}: expected "token,member_id"`);
    return { token, memberId };
  });
}

export interface CreateMembersOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:4000. */
  url: string;
  count: number;
  /** Registrations in flight at once. */
  concurrency: number;
  apiPrefix?: string;
  onProgress?: (done: number, total: number) => void;
  /** Told once per 429, with the wait the service asked for. */
  onThrottle?: (seconds: number) => void;
}

class HttpFailure extends Error {}

/**
 * Creates `count` members through the public API, as the PWA does: `POST /auth/email/register`
 * (a new e-mail account) then `GET /members/me` (which creates the member). `concurrency` workers
 * share the work; a 429 pauses every worker for the `Retry-After` the service sent, then the same
 * request is tried again, so the service's rate limits are respected whatever they are set to.
 */
export async function createMembers(options: CreateMembersOptions): Promise<LoadMember[]> {
  const prefix = `/${options.apiPrefix ?? 'timer-api'}`;
  const run = randomBytes(4).toString('hex');
  // Never written out: the tokens are all a load run needs.
  const password = randomBytes(12).toString('base64url');
  const members: LoadMember[] = new Array<LoadMember>(options.count);
  let next = 0;
  let done = 0;
  let pausedUntil = 0;
  let failed = false;

  const call = async (method: 'GET' | 'POST', path: string, init: { token?: string; body?: unknown }) => {
    for (let attempt = 0; ; attempt++) {
      const wait = pausedUntil - Date.now();
      if (wait > 0) await sleep(wait);
      const headers: Record<string, string> = {};
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(options.url + prefix + path, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      if (response.status === 429 && attempt < 100) {
        const seconds = Math.max(1, Number(response.headers.get('retry-after')) || 1);
        const newPause = pausedUntil <= Date.now(); // told once per pause, not once per worker
        pausedUntil = Math.max(pausedUntil, Date.now() + seconds * 1000);
        if (newPause) options.onThrottle?.(seconds);
        continue;
      }
      if (response.status !== 200) throw new HttpFailure(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
      return JSON.parse(text) as unknown;
    }
  };

  const worker = async () => {
    while (next < options.count && !failed) {
      const i = next++;
      const email = `loadtest.${run}.${i}@example.com`;
      const registered = (await call('POST', '/auth/email/register', { body: { email, password } })) as {
        data?: { access_token?: unknown };
      };
      const token = registered.data?.access_token;
      if (typeof token !== 'string')
        throw new HttpFailure(`register: no access_token in ${JSON.stringify(registered)}`);
      const me = (await call('GET', '/members/me', { token })) as { data?: { member?: { member_id?: unknown } } };
      const memberId = me.data?.member?.member_id;
      if (typeof memberId !== 'string') throw new HttpFailure(`members/me: no member_id in ${JSON.stringify(me)}`);
      members[i] = { token, memberId };
      options.onProgress?.(++done, options.count);
    }
  };
  const guarded = () =>
    worker().catch((error: unknown) => {
      failed = true; // the other workers stop after their current member
      throw error;
    });
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, guarded));
  return members;
}
