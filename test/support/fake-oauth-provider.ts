import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll } from 'vitest';

/**
 * A local stand-in for Google, Kakao and Naver: real HTTP on 127.0.0.1, id_tokens really signed
 * (RS256) with keys generated at start and published as JWKS. Tests register, per code, what the
 * provider answers, and read back the requests it received.
 */

export type IdTokenProvider = 'google' | 'kakao';
export type Endpoint = 'google-token' | 'google-jwks' | 'kakao-token' | 'kakao-jwks' | 'naver-token' | 'naver-profile';

/** How an endpoint misbehaves instead of answering normally. */
export type Fault =
  | { kind: 'status'; status: number; body?: unknown }
  | { kind: 'not-json'; status?: number }
  | { kind: 'json'; body: unknown }
  /** Never answers. */
  | { kind: 'hang' }
  /** Sends 200 and half a JSON body, then nothing. */
  | { kind: 'stall' };

export interface IdTokenSpec {
  sub: string;
  email?: string;
  email_verified?: boolean;
  /** Defaults to the provider's client id (Google) or REST API key (Kakao). */
  aud?: string;
  /** Defaults to `https://accounts.google.com` or `https://kauth.kakao.com`. */
  iss?: string;
  /** Lifetime from now; negative gives a token that expired that long ago. Default 3600. */
  expiresInSeconds?: number;
  /** Signs with a key published in no JWKS. */
  signWithForeignKey?: boolean;
  /** Overrides the `kid` header, e.g. a foreign key claiming the real key's id. */
  kid?: string;
  extraClaims?: Record<string, unknown>;
}

export interface NaverCodeSpec {
  /** The profile `response.id`; the profile API answers `{resultcode:'00', message:'success', response:{id}}`. */
  id?: string;
  /** A raw profile body instead (e.g. a `resultcode` other than '00'). */
  profile?: unknown;
  /** The profile endpoint misbehaves for this code's access token. */
  profileFault?: Fault;
}

export interface RecordedRequest {
  endpoint: Endpoint | 'unknown';
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The form fields of a POST (token endpoints). */
  form: Record<string, string>;
}

export interface FakeOAuthSettings {
  google: { clientId: string; clientSecret: string; redirectUri: string; issuer: string };
  kakao: { restApiKey: string; clientSecret: string; redirectUri: string; issuer: string };
  naver: { clientId: string; clientSecret: string };
}

/** Deliberately not the service's defaults, so a passing test proves the configured values are used. */
export const FAKE_OAUTH_SETTINGS: FakeOAuthSettings = {
  google: {
    clientId: 'fake-google-client.apps.googleusercontent.com',
    clientSecret: 'fake-google-secret',
    redirectUri: 'https://pwa.example.test/auth/login/callback/google',
    issuer: 'https://accounts.google.com',
  },
  kakao: {
    restApiKey: 'fake-kakao-rest-api-key',
    clientSecret: 'fake-kakao-secret',
    redirectUri: 'https://pwa.example.test/auth/login/callback/kakao',
    issuer: 'https://kauth.kakao.com',
  },
  naver: { clientId: 'fake-naver-client-id', clientSecret: 'fake-naver-secret' },
};

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

type CodeAnswer =
  | { kind: 'id-token'; provider: IdTokenProvider; spec: IdTokenSpec }
  | { kind: 'naver'; spec: NaverCodeSpec }
  | { kind: 'fault'; fault: Fault };

const ROUTES: Partial<Record<string, Endpoint>> = {
  'POST /google/token': 'google-token',
  'GET /google/jwks': 'google-jwks',
  'POST /kakao/token': 'kakao-token',
  'GET /kakao/jwks': 'kakao-jwks',
  'POST /naver/token': 'naver-token',
  'GET /naver/me': 'naver-profile',
};

const token = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export class FakeOAuthProvider {
  readonly settings = FAKE_OAUTH_SETTINGS;
  private readonly codes = new Map<string, CodeAnswer>();
  private readonly naverTokens = new Map<string, NaverCodeSpec>();
  private readonly endpointFaults = new Map<Endpoint, Fault>();
  private readonly received: RecordedRequest[] = [];
  private readonly barriers = new Map<string, () => Promise<void>>();

  private readonly server: Server;

  private keys!: Record<IdTokenProvider | 'foreign', SigningKey>;

  private constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(599).end(String(error));
      });
    });
  }

  /** Starts a provider on a random port of 127.0.0.1. */
  static async start(): Promise<FakeOAuthProvider> {
    const provider = new FakeOAuthProvider();
    await provider.listen();
    return provider;
  }

  /**
   * The suite's provider: started in `beforeAll`, closed in `afterAll`. Call it before the fixture
   * of the service that uses it, so it starts before that service and closes after it.
   */
  static use(): FakeOAuthProvider {
    const provider = new FakeOAuthProvider();
    beforeAll(() => provider.listen());
    afterAll(() => provider.close());
    return provider;
  }

  private async listen(): Promise<void> {
    this.keys = {
      google: await signingKey(token('google-key')),
      kakao: await signingKey(token('kakao-key')),
      foreign: await signingKey(token('foreign-key')),
    };
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** The base URL, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The environment that points the service at this provider. */
  env(): Record<string, string> {
    const { google, kakao, naver } = this.settings;
    return {
      GOOGLE_TOKEN_URL: `${this.url}/google/token`,
      GOOGLE_JWKS_URL: `${this.url}/google/jwks`,
      GOOGLE_ISSUERS: `${google.issuer},accounts.google.com`,
      GOOGLE_CLIENT_ID: google.clientId,
      GOOGLE_CLIENT_SECRET: google.clientSecret,
      GOOGLE_REDIRECT_URI: google.redirectUri,
      KAKAO_TOKEN_URL: `${this.url}/kakao/token`,
      KAKAO_JWKS_URL: `${this.url}/kakao/jwks`,
      KAKAO_ISSUER: kakao.issuer,
      KAKAO_REST_API_KEY: kakao.restApiKey,
      KAKAO_CLIENT_SECRET: kakao.clientSecret,
      KAKAO_REDIRECT_URI: kakao.redirectUri,
      NAVER_TOKEN_URL: `${this.url}/naver/token`,
      NAVER_PROFILE_URL: `${this.url}/naver/me`,
      NAVER_CLIENT_ID: naver.clientId,
      NAVER_CLIENT_SECRET: naver.clientSecret,
    };
  }

  /** A fresh single-use code whose exchange returns an id_token with these claims. */
  googleCode(spec: IdTokenSpec): string {
    return this.register({ kind: 'id-token', provider: 'google', spec });
  }

  kakaoCode(spec: IdTokenSpec): string {
    return this.register({ kind: 'id-token', provider: 'kakao', spec });
  }

  naverCode(spec: NaverCodeSpec): string {
    return this.register({ kind: 'naver', spec });
  }

  /** A code whose exchange (on any token endpoint) answers with the fault. */
  faultyCode(fault: Fault): string {
    return this.register({ kind: 'fault', fault });
  }

  /** An id_token signed now, as Google's own sign-in button hands it to the browser. */
  idToken(provider: IdTokenProvider, spec: IdTokenSpec): Promise<string> {
    const defaults =
      provider === 'google'
        ? { aud: this.settings.google.clientId, iss: this.settings.google.issuer }
        : { aud: this.settings.kakao.restApiKey, iss: this.settings.kakao.issuer };
    const key = spec.signWithForeignKey ? this.keys.foreign : this.keys[provider];
    const now = Math.floor(Date.now() / 1000);
    const lifetime = spec.expiresInSeconds ?? 3600;
    const claims: Record<string, unknown> = { ...spec.extraClaims };
    if (spec.email !== undefined) claims.email = spec.email;
    if (spec.email_verified !== undefined) claims.email_verified = spec.email_verified;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: spec.kid ?? key.kid })
      .setSubject(spec.sub)
      .setIssuer(spec.iss ?? defaults.iss)
      .setAudience(spec.aud ?? defaults.aud)
      .setIssuedAt(lifetime < 0 ? now + lifetime - 3600 : now)
      .setExpirationTime(now + lifetime)
      .sign(key.privateKey);
  }

  /** The `kid` of the key a provider publishes. */
  keyId(provider: IdTokenProvider): string {
    return this.keys[provider].kid;
  }

  /**
   * The exchanges of these codes are answered together, once all of them arrived, so the service
   * handles the logins at the same moment (a race, made likely rather than left to luck).
   */
  releaseTogether(codes: string[]): void {
    let arrived = 0;
    let release!: () => void;
    const all = new Promise<void>((resolve) => (release = resolve));
    // Never stuck for ever if a code is not presented.
    const fallback = setTimeout(release, 10_000);
    const arrive = () => {
      if (++arrived === codes.length) {
        clearTimeout(fallback);
        release();
      }
      return all;
    };
    for (const code of codes) this.barriers.set(code, arrive);
  }

  /** Every request to the endpoint misbehaves until `repair`. */
  breakEndpoint(endpoint: Endpoint, fault: Fault): void {
    this.endpointFaults.set(endpoint, fault);
  }

  repair(endpoint: Endpoint): void {
    this.endpointFaults.delete(endpoint);
  }

  /** The requests received so far, oldest first. */
  requests(endpoint?: Endpoint): RecordedRequest[] {
    return this.received.filter((r) => endpoint === undefined || r.endpoint === endpoint);
  }

  /** The token-endpoint request that presented this code. */
  exchangeOf(code: string): RecordedRequest | undefined {
    return this.received.find((r) => r.endpoint.endsWith('-token') && r.form.code === code);
  }

  async close(): Promise<void> {
    // Hanging requests would keep close() waiting for ever.
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
  }

  private register(answer: CodeAnswer): string {
    const code = token('code');
    this.codes.set(code, answer);
    return code;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.url).pathname;
    const endpoint = ROUTES[`${req.method} ${path}`] ?? 'unknown';
    const raw = await readBody(req);
    const form = Object.fromEntries(new URLSearchParams(req.method === 'POST' ? raw : ''));
    this.received.push({ endpoint, method: req.method ?? '', path, headers: { ...req.headers }, form });

    if (endpoint === 'unknown') return json(res, 404, { error: 'not_found' });
    const barrier = form.code === undefined ? undefined : this.barriers.get(form.code);
    if (barrier) {
      this.barriers.delete(form.code);
      await barrier();
    }
    const fault = this.endpointFaults.get(endpoint);
    if (fault) return answerFault(res, fault);
    switch (endpoint) {
      case 'google-jwks':
        return json(res, 200, { keys: [this.keys.google.publicJwk] });
      case 'kakao-jwks':
        return json(res, 200, { keys: [this.keys.kakao.publicJwk] });
      case 'google-token':
      case 'kakao-token':
        return this.idTokenExchange(endpoint === 'google-token' ? 'google' : 'kakao', form, res);
      case 'naver-token':
        return this.naverExchange(form, res);
      case 'naver-profile':
        return this.naverProfile(req, res);
    }
  }

  private async idTokenExchange(provider: IdTokenProvider, form: Record<string, string>, res: ServerResponse) {
    const expected =
      provider === 'google'
        ? { id: this.settings.google.clientId, ...this.settings.google }
        : { id: this.settings.kakao.restApiKey, ...this.settings.kakao };
    if (form.grant_type !== 'authorization_code') return json(res, 400, { error: 'unsupported_grant_type' });
    if (form.client_id !== expected.id || form.client_secret !== expected.clientSecret) {
      return json(res, 401, { error: 'invalid_client' });
    }
    const answer = this.take(form.code);
    if (answer?.kind === 'fault') return answerFault(res, answer.fault);
    if (answer?.kind !== 'id-token' || answer.provider !== provider) return json(res, 400, { error: 'invalid_grant' });
    if (form.redirect_uri !== expected.redirectUri) return json(res, 400, { error: 'redirect_uri_mismatch' });
    return json(res, 200, {
      access_token: token('access'),
      token_type: 'Bearer',
      expires_in: 3599,
      scope: 'openid email',
      id_token: await this.idToken(provider, answer.spec),
    });
  }

  /** Naver answers a refused exchange with 200 and an `error` field, as the real one does. */
  private naverExchange(form: Record<string, string>, res: ServerResponse) {
    const { clientId, clientSecret } = this.settings.naver;
    if (form.grant_type !== 'authorization_code' || !form.state) {
      return json(res, 200, { error: 'invalid_request', error_description: 'no valid grant_type or state' });
    }
    if (form.client_id !== clientId || form.client_secret !== clientSecret) {
      return json(res, 200, { error: 'invalid_client', error_description: 'client authentication failed' });
    }
    const answer = this.take(form.code);
    if (answer?.kind === 'fault') return answerFault(res, answer.fault);
    if (answer?.kind !== 'naver') return json(res, 200, { error: 'invalid_grant', error_description: 'no valid code' });
    const accessToken = token('naver-access');
    this.naverTokens.set(accessToken, answer.spec);
    return json(res, 200, {
      access_token: accessToken,
      refresh_token: token('r'),
      token_type: 'bearer',
      expires_in: '3600',
    });
  }

  private naverProfile(req: IncomingMessage, res: ServerResponse) {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const spec = bearer === undefined ? undefined : this.naverTokens.get(bearer);
    if (!spec) return json(res, 401, { resultcode: '024', message: 'Authentication failed' });
    if (spec.profileFault) return answerFault(res, spec.profileFault);
    return json(res, 200, spec.profile ?? { resultcode: '00', message: 'success', response: { id: spec.id } });
  }

  /** Codes are single-use, as at the real providers. */
  private take(code: string | undefined): CodeAnswer | undefined {
    if (code === undefined) return undefined;
    const answer = this.codes.get(code);
    this.codes.delete(code);
    return answer;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function answerFault(res: ServerResponse, fault: Fault): void {
  switch (fault.kind) {
    case 'status':
      return json(res, fault.status, fault.body ?? { error: 'server_error' });
    case 'json':
      return json(res, 200, fault.body);
    case 'not-json':
      res.writeHead(fault.status ?? 200, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');
      return;
    case 'hang':
      // Never answers; close() ends the connection.
      return;
    case 'stall':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id_token":"');
      return;
  }
}

export const startFakeOAuthProvider = () => FakeOAuthProvider.start();
