/**
 * The baseline of bench/auth.bench.ts: plain Fastify + pg doing the same work as monta-server for
 * `GET /timer-api/members/me`, and nothing else (no Nest, no Drizzle, no guards, interceptors or pipes,
 * no CORS, request ids, rate limiter or logger): the Bearer access JWT verified with jose (HS256 pinned,
 * key imported once), the live-account query monta-server made on every request before its guard cache
 * (role + token generation, checked against the token's `gen`), the same member query, the same JSON.
 * It leaves out what the bench never reaches: creating a missing member, the exact error bodies.
 *
 * Settings (environment): PORT, HOST, DATABASE_URL, DATABASE_POOL_SIZE, AUTH_JWT_SECRET.
 */
import { createSecretKey } from 'node:crypto';
import Fastify, { type FastifyReply } from 'fastify';
import { jwtVerify } from 'jose';
import pg from 'pg';

const ALG = 'HS256';
// Imported once, as monta-server does: raw bytes would make jose import the key on every call.
const accessKey = createSecretKey(Buffer.from(process.env.AUTH_JWT_SECRET!, 'utf8'));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
});
pool.on('error', () => undefined);

/** The columns the answer shows; the query reads every column, as monta-server's read of the member does. */
interface MemberRecord {
  member_id: string;
  nickname: string;
  image_url: string | null;
  status_message: string;
  point: number;
  active_record_id: string | null;
  ranking_opt_out?: boolean;
}

const fail = (reply: FastifyReply, status: number, message: string) =>
  reply.code(status).send({ status: 'error', statusCode: status, message });

const app = Fastify({ logger: false });

app.get('/health/live', async () => ({ status: 'ok' }));

app.get('/timer-api/members/me', async (request, reply) => {
  const header = request.headers.authorization;
  const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
  if (!token || token.length > 4096) return fail(reply, 401, 'Unauthorized');
  let sub: unknown;
  let gen: unknown;
  try {
    const { payload } = await jwtVerify(token, accessKey, { algorithms: [ALG] });
    const role = payload.role as { role_id?: unknown } | undefined;
    if (typeof role?.role_id !== 'number') return fail(reply, 401, 'Unauthorized');
    sub = payload.sub;
    gen = payload.gen ?? 0;
  } catch {
    return fail(reply, 401, 'Unauthorized');
  }
  if (typeof sub !== 'string' || !UUID.test(sub)) return fail(reply, 401, 'Unauthorized');
  const live = await pool.query<{ role_id: number; token_generation: number }>(
    'select role_id, token_generation from account where account_id = $1 limit 1',
    [sub],
  );
  if (live.rows[0]?.token_generation !== gen) return fail(reply, 401, 'Unauthorized');
  const found = await pool.query<MemberRecord>('select * from member where account_id = $1 limit 1', [sub]);
  const m = found.rows[0];
  if (!m) return fail(reply, 404, 'member not found');
  return {
    status: 'success',
    data: {
      member: {
        member_id: m.member_id,
        status_message: m.status_message,
        image_url: m.image_url,
        nickname: m.nickname,
        point: m.point,
        active_record_id: m.active_record_id === null ? null : String(m.active_record_id),
        // The caller's own ranking setting, where the schema has it (issue 13).
        ...(m.ranking_opt_out === undefined ? {} : { ranking_opt_out: m.ranking_opt_out }),
      },
    },
  };
});

await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop());
