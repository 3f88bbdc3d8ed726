/**
 * The baseline of bench/auth.bench.ts: plain Fastify + pg doing the same work as monta-server on
 * two routes, and nothing else (no Nest, no Drizzle, no guards/interceptors/pipes, no CORS, no
 * request ids, no rate limiter, no logger):
 *
 *  - GET  /timer-api/members/me      Bearer access JWT verified with jose (HS256 pinned, key
 *                                    imported once), the live-account query monta-server made on every
 *                                    request before its guard cache (role + token generation, checked
 *                                    against the token's `gen`), the same member query, the same JSON.
 *  - POST /timer-api/auth/email/login  account + role by lower(email), Argon2id verify, two JWTs
 *                                    signed with jose, one refresh_token row inserted, the same JSON.
 *
 * It deliberately leaves out what the benchmark never reaches: creating a missing member, rehashing
 * a legacy password hash, and the exact error bodies (errors are a bare status + message).
 *
 * Settings (environment): PORT, HOST, DATABASE_URL, DATABASE_POOL_SIZE, AUTH_JWT_SECRET,
 * AUTH_REFRESH_SECRET, AUTH_JWT_TOKEN_EXPIRES_IN and AUTH_REFRESH_TOKEN_EXPIRES_IN (seconds).
 */
import { createHash, createSecretKey, randomUUID } from 'node:crypto';
import { verify } from '@node-rs/argon2';
import Fastify, { type FastifyReply } from 'fastify';
import { jwtVerify, SignJWT } from 'jose';
import pg from 'pg';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const ALG = 'HS256';
// Imported once, as monta-server does: raw bytes would make jose import the key on every call.
const accessKey = createSecretKey(Buffer.from(env('AUTH_JWT_SECRET'), 'utf8'));
const refreshKey = createSecretKey(Buffer.from(env('AUTH_REFRESH_SECRET'), 'utf8'));
const accessTtl = Number(env('AUTH_JWT_TOKEN_EXPIRES_IN', '900'));
const refreshTtl = Number(env('AUTH_REFRESH_TOKEN_EXPIRES_IN', String(14 * 86400)));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: Number(env('DATABASE_POOL_SIZE', '10')) });
pool.on('error', () => undefined);

interface MemberRecord {
  member_id: string;
  account_id: string;
  nickname: string;
  image_url: string | null;
  status_message: string;
  point: number;
  active_record_id: string | null;
  created_at: Date;
  updated_at: Date;
  ranking_opt_out?: boolean;
}

interface AccountRecord {
  account_id: string;
  email: string | null;
  password: string | null;
  provider: string;
  social_id: string | null;
  created_at: Date;
  updated_at: Date;
  role_id: number;
  role_name: string;
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
  const found = await pool.query<MemberRecord>(
    // Every column, as monta-server's read of the member does.
    'select * from member where account_id = $1 limit 1',
    [sub],
  );
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

app.post('/timer-api/auth/email/login', async (request, reply) => {
  const body = request.body as { email?: unknown; password?: unknown } | undefined;
  const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
  const password = body?.password;
  if (!email || email.length > 255 || typeof password !== 'string' || !password || password.length > 128) {
    return fail(reply, 400, 'Bad Request');
  }
  const found = await pool.query<AccountRecord>(
    'select a.account_id, a.email, a.password, a.provider, a.social_id, a.created_at, a.updated_at, ' +
      'r.role_id, r.name as role_name from account a join role r on r.role_id = a.role_id ' +
      'where lower(a.email) = $1 limit 1',
    [email],
  );
  const account = found.rows[0];
  if (!account) return fail(reply, 404, 'account not found');
  if (account.provider !== 'email') return fail(reply, 400, 'social account');
  let ok = false;
  try {
    ok = !!account.password && (await verify(account.password, password));
  } catch {
    ok = false;
  }
  if (!ok) return fail(reply, 401, 'wrong password');

  const iat = Math.floor(Date.now() / 1000);
  const accessToken = await new SignJWT({
    email: account.email,
    role: { role_id: account.role_id, name: account.role_name },
  })
    .setProtectedHeader({ alg: ALG, typ: 'JWT' })
    .setSubject(account.account_id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + accessTtl)
    .sign(accessKey);
  const refreshTokenId = randomUUID();
  const expiresAt = new Date((iat + refreshTtl) * 1000);
  const refreshToken = await new SignJWT({})
    .setProtectedHeader({ alg: ALG, typ: 'JWT' })
    .setSubject(account.account_id)
    .setJti(refreshTokenId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + refreshTtl)
    .sign(refreshKey);
  await pool.query(
    'insert into refresh_token (refresh_token_id, account_id, chain_id, token_hash, expires_at) values ($1, $2, $3, $4, $5)',
    [
      refreshTokenId,
      account.account_id,
      randomUUID(),
      createHash('sha256').update(refreshToken).digest('hex'),
      expiresAt,
    ],
  );
  return {
    status: 'success',
    data: {
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: (iat + accessTtl) * 1000 - Math.min(5000, Math.floor((accessTtl * 1000) / 10)),
      account: {
        account_id: account.account_id,
        email: account.email,
        provider: account.provider,
        social_id: account.social_id,
        role: { role_id: account.role_id, name: account.role_name },
        created_at: account.created_at,
      },
    },
  };
});

await app.listen({ port: Number(env('PORT', '0')), host: env('HOST', '127.0.0.1') });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
}
