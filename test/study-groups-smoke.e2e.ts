import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './support/app.js';
import { client, registerAndLogin } from './support/http.js';
import { joinGroup } from './support/sockets.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.close());

describe('study groups (smoke)', () => {
  it('newMember (joiner included) then groupInfo; 40 joins make 5 groups of 8', async () => {
    const api = client(app.url);
    const users = await Promise.all(Array.from({ length: 40 }, () => registerAndLogin(api)));
    const joined = await Promise.all(users.map((u) => joinGroup(app.url, u.accessToken)));
    try {
      const sizes = new Map<string, number>();
      for (const { info } of joined) sizes.set(info.groupId, (sizes.get(info.groupId) ?? 0) + 1);
      expect([...sizes.values()].sort()).toEqual([8, 8, 8, 8, 8]);
      const first = joined[0]!.client.received.map((r) => r.event);
      expect(first.indexOf('newMember')).toBeLessThan(first.indexOf('groupInfo'));
    } finally {
      joined.forEach((j) => j.client.close());
    }
  });
});
