import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../src/database/client.js';
import { runMigrations } from '../src/database/migrator.js';
import { seed } from '../src/seeds/seed.js';
import { startApp, useApp } from './support/app.js';
import { client, login } from './support/http.js';

// The global pieces: unknown routes in both dialects, request ids, CORS, health, OpenAPI, logs, 500s.

const app = useApp({ env: { REDIS_URL: inject('redisUrl') }, captureLogs: true });
const { api } = app;

describe('unknown routes', () => {
  it('Nest paths: 404 Cannot <METHOD> <path>, no token needed', async () => {
    const r = await api.get('/timer-api/nope?x=1');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ status: 'error', error: 'Not Found', message: 'Cannot GET /timer-api/nope?x=1' });
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const del = await api.delete('/timer-api/members/me');
    expect(del.body.message).toBe('Cannot DELETE /timer-api/members/me');
  });

  it('Spring paths: the Spring envelope with an array message', async () => {
    for (const path of ['/v2/nope', '/admin/nope', '/characters/x/y']) {
      const r = await api.post(path, { json: {} });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ status: 'error', error: 'NOT_FOUND', message: [`Cannot POST ${path}`] });
    }
  });
});

describe('request ids', () => {
  it('echoes a well-formed x-request-id and logs it; generates one otherwise', async () => {
    const given = await api.get('/health/live', { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const generated = await api.get('/health/live');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await api.get('/health/live', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(app.logs.some((line) => JSON.parse(line).requestId === 'abc-123')).toBe(true);
  });
});

describe('logs', () => {
  it('carry no password, token or whole e-mail', async () => {
    const session = await login(api, 'user@test.com');
    await api.post('/timer-api/auth/email/login', { json: { email: 'user@test.com', password: 'wrong-secret-pw' } });
    await api.get('/timer-api/members/me', { token: session.access_token });
    await api.post('/timer-api/auth/refresh', { token: session.refresh_token });
    const text = app.logs.join('\n');
    expect(app.logs.length).toBeGreaterThan(4);
    for (const secret of [
      'qwer1234',
      'wrong-secret-pw',
      session.access_token,
      session.refresh_token,
      'user@test.com',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin with 204 and credentials', async () => {
    const r = await api.call('OPTIONS', '/timer-api/members/me', {
      headers: {
        origin: 'https://monta-pwa.vercel.app',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://monta-pwa.vercel.app');
    expect(r.headers.get('access-control-allow-credentials')).toBe('true');
    expect(r.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('gives a disallowed origin no Access-Control-Allow-Origin', async () => {
    const r = await api.call('OPTIONS', '/timer-api/members/me', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows http://localhost:5173 by default', async () => {
    const r = await api.get('/health/live', { headers: { origin: 'http://localhost:5173' } });
    expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(r.headers.get('vary')).toContain('Origin');
  });
});

describe('health', () => {
  it('live and ready (database and Redis up)', async () => {
    expect((await api.get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await api.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
  });

  it('ready without Redis configured', async () => {
    const plain = await startApp();
    try {
      const r = await client(plain.url).get('/health/ready');
      expect(r.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'not configured' } });
    } finally {
      await plain.close();
    }
  });
});

describe('OpenAPI', () => {
  it('serves the document and the browsable page', async () => {
    const doc = await api.get('/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const path of ['/timer-api/auth/email/login', '/timer-api/members/me', '/timer-api/accounts/{id}']) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
    const page = await api.get('/docs');
    expect(page.status).toBe(200);
    expect(page.text.toLowerCase()).toContain('swagger');
  });
});

describe('unexpected errors', () => {
  it('answer the generic 500 and are logged with the request id', async () => {
    // A service on its own database, which then disappears under it.
    const name = `monta_gone_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: inject('adminUrl') });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(inject('adminUrl'));
    url.pathname = `/${name}`;
    const database = await openDatabase({ url: url.toString(), dataDir: '' });
    await runMigrations(database.db);
    await seed(database.db, { production: false });
    await database.close();
    const doomed = await startApp({ DATABASE_URL: url.toString() }, { captureLogs: true });
    try {
      const token = (await login(client(doomed.url), 'user@test.com')).access_token;
      await admin.query(`drop database ${name} with (force)`);
      const r = await client(doomed.url).get('/timer-api/members/me', {
        token,
        headers: { 'x-request-id': 'req-500' },
      });
      expect(r.status).toBe(500);
      expect(r.body).toEqual({
        status: 'error',
        error: 'Internal Server Error',
        message: '문제가 발생했습니다. 나중에 다시 시도해주세요.',
      });
      const logged = doomed.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === 'req-500' && l.level === 50);
      expect(logged?.err).toBeDefined();
      const ready = await client(doomed.url).get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.database).toBe('down');
    } finally {
      await doomed.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
