import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { client, registerAndLogin } from './support/http.js';
import { joinGroup } from './support/sockets.js';

// GET /metrics: Prometheus text from the app's own registry, labels by route template, the bearer token.
const TOKEN = randomBytes(24).toString('hex');
const open = useApp({ env: { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `metrics-${randomUUID()}:` } });
const guarded = useApp({ env: { METRICS_TOKEN: TOKEN } });

/** The value of one series, by metric name and exact label text (`{a="b",c="d"}` or ''). */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics', () => {
  it('serves the Prometheus text format outside the API prefix and the envelope', async () => {
    const reply = await fetch(`${open.url}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await reply.text();
    for (const name of [
      'monta_process_cpu_seconds_total',
      'monta_nodejs_eventloop_lag_p99_seconds',
      'monta_http_requests_in_flight',
      'monta_sockets_connected',
      'monta_group_members_seated',
      'monta_groups_active',
      'monta_db_pool_max',
      'monta_db_pool_waiting',
      'monta_redis_up',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(sample(text, 'monta_db_pool_max')).toBe(5);
    expect(sample(text, 'monta_redis_up')).toBe(1);
    expect(sample(text, 'monta_db_pool_connections', '{state="idle"}')).toBeGreaterThanOrEqual(0);
    expect((await fetch(`${open.url}/timer-api/metrics`)).status).toBe(404);
  });

  it('labels requests by route template, method and status, never by a raw id', async () => {
    const api = client(open.url);
    const id = randomUUID();
    const before = await (await fetch(`${open.url}/metrics`)).text();
    const unmatched = '{route="(unmatched)",method="GET",status="404"}';
    expect((await api.get(`/timer-api/accounts/${id}`)).status).toBe(401);
    expect((await api.get(`/timer-api/members/${id}`)).status).toBe(404);
    expect((await api.get('/health/live')).status).toBe(200);
    const text = await (await fetch(`${open.url}/metrics`)).text();
    expect(text).not.toContain(id);
    const bucket = 'monta_http_request_duration_seconds_count';
    expect(sample(text, bucket, '{route="/timer-api/accounts/:id",method="GET",status="401"}')).toBe(1);
    expect(sample(text, bucket, unmatched)).toBe((sample(before, bucket, unmatched) ?? 0) + 1);
    expect(sample(text, bucket, '{route="/health/live",method="GET",status="200"}')).toBe(1);
    // Scrapes are not counted; the scrape itself is not in flight either.
    expect(text).not.toContain('route="/metrics"');
    expect(sample(text, 'monta_http_requests_in_flight')).toBe(0);
  });

  it('counts this instance’s sockets and the members and groups seated through them', async () => {
    const api = client(open.url);
    const users = await Promise.all([registerAndLogin(api), registerAndLogin(api)]);
    const joined = await Promise.all(users.map((u) => joinGroup(open.url, u.accessToken)));
    try {
      const text = await (await fetch(`${open.url}/metrics`)).text();
      const groups = new Set(joined.map((j) => j.info.groupId)).size;
      expect(sample(text, 'monta_sockets_connected')).toBe(2);
      expect(sample(text, 'monta_group_members_seated')).toBe(2);
      expect(sample(text, 'monta_groups_active')).toBe(groups);
    } finally {
      joined.forEach((j) => j.client.close());
    }
  });

  it('requires METRICS_TOKEN as a bearer when it is set', async () => {
    const url = `${guarded.url}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: TOKEN } })).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    // Without Redis there is no Redis series; the pool is PostgreSQL's here.
    const text = await ok.text();
    expect(text).not.toContain('monta_redis_up');
    expect(text).toContain('monta_db_pool_connections');
  });
});
