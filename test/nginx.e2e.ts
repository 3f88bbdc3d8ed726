import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type UsedApp, useInstances } from './support/app.js';
import { freePort } from './support/net.js';

// deploy/nginx/templates/monta.conf.template, the file compose.yaml mounts, run by Debian's nginx in
// front of two real instances: only the upstream addresses, the listen ports and the certificate
// paths are rewritten. The HTTP flows go over TLS; the live group runs through it on both transports.
const TEMPLATE = fileURLToPath(new URL('../deploy/nginx/templates/monta.conf.template', import.meta.url));
const NGINX = '/usr/sbin/nginx';

let dir: string;
let nginx: ChildProcess;
let ca: Buffer;
let base: string;
let plain: string;
const ports: number[] = [];
const apps: UsedApp[] = [];
const env = () => ({
  REDIS_URL: inject('redisUrl'),
  REDIS_KEY_PREFIX: `nginx-${prefix}:`,
  TRUST_PROXY: 'true',
  GROUP_RECONNECT_GRACE_SECONDS: '5',
});
const prefix = randomUUID().slice(0, 8);
// Registered before the hooks below, so the instances close last. One restarted in a test closes with it.
const instances = useInstances();
const startInstance = async (i: number) => (apps[i] = await instances.start({ ...env(), PORT: String(ports[i]) }));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'monta-nginx-'));
  for (const sub of ['certs', 'webroot/.well-known/acme-challenge', 'temp'])
    mkdirSync(join(dir, sub), { recursive: true });
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'],
      ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      ...['-keyout', join(dir, 'certs/privkey.pem'), '-out', join(dir, 'certs/fullchain.pem')],
    ],
    { stdio: 'ignore' },
  );
  ca = readFileSync(join(dir, 'certs/fullchain.pem'));
  writeFileSync(join(dir, 'webroot/.well-known/acme-challenge/token-1'), 'challenge-answer');
  ports.push(await freePort(), await freePort());
  await Promise.all([startInstance(0), startInstance(1)]);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const site = readFileSync(TEMPLATE, 'utf8')
    .replaceAll('app1:4000', `127.0.0.1:${ports[0]}`)
    .replaceAll('app2:4000', `127.0.0.1:${ports[1]}`)
    .replace(/^\s*listen \[::\].*$/gm, '')
    .replace('listen 80;', `listen 127.0.0.1:${httpPort};`)
    .replace('listen 443 ssl', `listen 127.0.0.1:${httpsPort} ssl`)
    .replaceAll('/etc/letsencrypt/live/${DOMAIN}/', `${dir}/certs/`)
    .replaceAll('/var/www/certbot', `${dir}/webroot`)
    .replaceAll('${DOMAIN}', 'localhost');
  expect(site.replace(/#.*$/gm, '')).not.toMatch(/app[12]:|\$\{DOMAIN\}|letsencrypt/);
  writeFileSync(join(dir, 'monta.conf'), site);
  const temp = join(dir, 'temp');
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 512; }',
      'http {',
      `  access_log ${dir}/access.log;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${temp}/${t};`),
      `  include ${dir}/monta.conf;`,
      '}',
    ].join('\n'),
  );
  // Unprivileged: as root (a container), nginx runs as nobody, who must read its files.
  const root = process.getuid?.() === 0;
  if (root) execFileSync('chmod', ['-R', 'a+rwX', dir]);
  nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(root ? { uid: 65534, gid: 65534 } : {}),
  });
  let stderr = '';
  nginx.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  base = `https://localhost:${httpsPort}`;
  plain = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 10_000;
  while ((await call('GET', '/health/live').catch(() => undefined))?.status !== 200) {
    if (nginx.exitCode !== null || Date.now() > deadline) {
      throw new Error(
        `nginx did not start: ${stderr}${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 60_000);

afterAll(async () => {
  nginx?.kill('SIGQUIT');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** One HTTPS request through nginx, trusting only the test's own certificate. */
function call(
  method: string,
  path: string,
  o: { token?: string; json?: unknown; raw?: string; headers?: Record<string, string>; url?: string } = {},
): Promise<Answer> {
  const body = o.raw ?? (o.json === undefined ? undefined : JSON.stringify(o.json));
  const target = new URL(path, o.url ?? base);
  const lib = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = lib.request(target, {
      method,
      ca,
      agent: false,
      headers: {
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
    });
    request.on('response', (response) => {
      let text = '';
      response.on('data', (c: Buffer) => (text += c.toString('utf8')));
      response.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode!, headers: response.headers, text, json });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Requests per route seen by one instance, read from its own /metrics. */
async function seen(i: number, metric: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${ports[i]}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(metric))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

async function member(tag: string) {
  const email = `nginx.${tag}.${randomUUID().slice(0, 8)}@test.com`;
  const registered = await call('POST', '/timer-api/auth/email/register', { json: { email, password: 'qwer1234' } });
  expect(registered.status, registered.text).toBe(200);
  const login = await call('POST', '/timer-api/auth/email/login', { json: { email, password: 'qwer1234' } });
  expect(login.status).toBe(200);
  const token = login.json.data.access_token as string;
  const me = await call('GET', '/timer-api/members/me', { token });
  expect(me.status).toBe(200);
  return { token, memberId: me.json.data.member.member_id as string };
}

describe('nginx in front of two instances', () => {
  it('serves the HTTP flows over TLS, spread over both instances, with request ids and the body limit', async () => {
    const before = [
      await seen(0, 'monta_http_request_duration_seconds_count'),
      await seen(1, 'monta_http_request_duration_seconds_count'),
    ];
    const m = await member('http');
    const categories = await call('POST', `/timer-api/members/${m.memberId}/study-categories`, {
      token: m.token,
      json: { subject: 'nginx' },
    });
    expect(categories.status, categories.text).toBe(200);
    const categoryId = Number(categories.json.data.category.study_category_id);
    const started = await call('POST', '/timer-api/study-timer/start', {
      token: m.token,
      json: { category_id: categoryId },
    });
    expect(started.status, started.text).toBe(200);
    const ended = await call('POST', '/timer-api/study-timer/end', { token: m.token, json: { status: 'Completed' } });
    expect(ended.status, ended.text).toBe(200);
    // The Spring dialect through the proxy: an unknown item, refused in its own shape.
    const spring = await call('POST', '/v2/shop/purchase', {
      token: m.token,
      json: { item_id: 2_000_000_000, count: 1 },
    });
    expect(spring.status, spring.text).toBeGreaterThanOrEqual(400);
    expect(spring.status).toBeLessThan(500);
    expect(spring.json.error).toMatch(/^[A-Z_]+$/);
    expect(Array.isArray(spring.json.message)).toBe(true);
    const after = [
      await seen(0, 'monta_http_request_duration_seconds_count'),
      await seen(1, 'monta_http_request_duration_seconds_count'),
    ];
    expect(after[0]! - before[0]!, 'instance 1 served some').toBeGreaterThan(0);
    expect(after[1]! - before[1]!, 'instance 2 served some').toBeGreaterThan(0);

    // nginx's own id when the client sent none; the client's when it did.
    const generated = await call('GET', '/health/live');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    const given = await call('GET', '/health/live', { headers: { 'x-request-id': 'client-chosen-id-1' } });
    expect(given.headers['x-request-id']).toBe('client-chosen-id-1');
    // The app sees the client's address through the proxy headers (TRUST_PROXY) and the TLS scheme.
    expect(generated.headers['strict-transport-security']).toBe('max-age=31536000');

    const large = await call('POST', '/timer-api/auth/email/login', {
      raw: JSON.stringify({ email: 'x'.repeat(150 * 1024) }),
    });
    expect(large.status).toBe(413);
    const redirect = await call('GET', '/timer-api/members/me', { url: plain });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe(`https://127.0.0.1/timer-api/members/me`);
    const challenge = await call('GET', '/.well-known/acme-challenge/token-1', { url: plain });
    expect(challenge.text).toBe('challenge-answer');
    expect((await call('GET', '/metrics')).status).toBe(404);
  });
});

/** A socket.io client through nginx from one loopback address (nginx pins sockets by client address). */
function socketFrom(address: string, token: string, transports: ('polling' | 'websocket')[], join = true) {
  const agent = new https.Agent({ ca, localAddress: address });
  const socket: Socket = io(base, {
    transports,
    agent,
    ca,
    auth: { token },
    reconnectionDelay: 200,
    reconnectionDelayMax: 500,
  } as never);
  const infos: { groupId: string; members: { member_id: string }[] }[] = [];
  socket.on('groupInfo', (info) => infos.push(info));
  // As the PWA does: (re)join on every connection.
  if (join) socket.on('connect', () => socket.emit('joinGroup', { jwtToken: token }));
  return { socket, infos };
}

const waitFor = async (check: () => boolean | Promise<boolean>, ms: number, what: string) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('the live group through nginx', () => {
  it('pins each client to an instance, seats members of both instances in one room, and survives a restart', async () => {
    // Loopback addresses nginx hashes to instance 1 and to instance 2, found with real sockets.
    const probe = await member('probe');
    const instanceFor = async (address: string): Promise<number> => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const counts = [await seen(0, 'monta_sockets_connected'), await seen(1, 'monta_sockets_connected')];
        const c = socketFrom(address, probe.token, ['polling'], false);
        await waitFor(() => c.socket.connected, 5_000, 'probe connected');
        const now = [await seen(0, 'monta_sockets_connected'), await seen(1, 'monta_sockets_connected')];
        c.socket.disconnect();
        const i = now[0]! > counts[0]! ? 0 : now[1]! > counts[1]! ? 1 : -1;
        if (i >= 0) return i;
        // An earlier probe's disconnect landed in between: ask again.
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      return -1;
    };
    const home: Record<number, string> = {};
    for (let n = 2; n < 40 && (home[0] === undefined || home[1] === undefined); n++) {
      const i = await instanceFor(`127.0.0.${n}`);
      if (i >= 0) home[i] ??= `127.0.0.${n}`;
    }
    expect(home[0] && home[1], 'addresses for both instances').toBeTruthy();
    // Pinned: the same address lands on the same instance again.
    expect(await instanceFor(home[1]!)).toBe(1);

    const [a, b] = [await member('a'), await member('b')];
    // A on instance 1 over websocket; B on instance 2 over long polling (the handshake, then every poll, pinned).
    const ca1 = socketFrom(home[0]!, a.token, ['websocket']);
    await waitFor(() => ca1.infos.length > 0, 10_000, 'A seated');
    const cb = socketFrom(home[1]!, b.token, ['polling']);
    await waitFor(() => cb.infos.length > 0, 10_000, 'B seated');
    const room = ca1.infos[0]!.groupId;
    expect(cb.infos[0]!.groupId).toBe(room);
    expect(cb.infos[0]!.members.map((m) => m.member_id).sort()).toEqual([a.memberId, b.memberId].sort());
    expect(await seen(0, 'monta_group_members_seated')).toBeGreaterThanOrEqual(1);
    expect(await seen(1, 'monta_group_members_seated')).toBeGreaterThanOrEqual(1);

    // Instance 2 restarts under B: B reconnects (through nginx, to instance 1 while 2 is down) and sits with A again.
    await apps[1]!.close();
    await waitFor(() => cb.infos.length > 1 && cb.socket.connected, 15_000, 'B re-seated');
    expect(cb.infos.at(-1)!.groupId).toBe(room);
    expect(
      cb.infos
        .at(-1)!
        .members.map((m) => m.member_id)
        .sort(),
    ).toEqual([a.memberId, b.memberId].sort());
    expect(await seen(0, 'monta_sockets_connected')).toBe(2);
    await startInstance(1);
    // Back up (and past nginx's fail_timeout), instance 2 takes its clients again.
    await waitFor(async () => (await instanceFor(home[1]!)) === 1, 15_000, 'instance 2 back in nginx');
    const cc = socketFrom(home[1]!, (await member('c')).token, ['polling', 'websocket']);
    await waitFor(
      async () => cc.infos.length > 0 && (await seen(1, 'monta_sockets_connected')) === 1,
      10_000,
      'C on instance 2',
    );
    expect(cc.infos[0]!.members.map((m) => m.member_id)).toEqual(expect.arrayContaining([a.memberId, b.memberId]));
    for (const c of [ca1, cb, cc]) c.socket.disconnect();
  }, 45_000);
});
