import type { Redis } from 'ioredis';
import { GROUP_CAPACITY, type GroupMember, type GroupStore, type JoinResult, type LeaveResult } from './group-store.js';

// Keys (all under one prefix; no KEYS scans anywhere):
//   groups:open              zset  group id -> members, only groups with free seats (fullest first)
//   groups:all / members:all set   every group / every seated member (for removeAll)
//   instances:all            set   every instance that registered a socket
//   instances:alive          zset  instance id -> last heartbeat (ms)
//   group:{g}:members        hash  member id -> JSON profile (its size is the group's count)
//   member:{m}:group         string
//   member:{m}:sockets       set   `instanceId:socketId`
//   instance:{i}:sockets     set   `memberId|instanceId:socketId` (to release a dead instance)
//   instance:{i}:seen        string written by the instance's heartbeat only; gone = its seats were lost
// Each script runs atomically in Redis, so the cap and the one-seat rule hold across instances.

// An instance holding sockets is always in instances:alive, even before its first heartbeat lands
// (it may crash before it does), so the sweep can find it.
const JOIN = `
local p, m, sock, profile, newGroup, cap = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local inst = string.match(sock, '^[^:]*')
redis.call('ZADD', p..'instances:alive', 'NX', ARGV[7], inst)
redis.call('SADD', p..'instances:all', inst)
redis.call('SADD', p..'instance:'..inst..':sockets', m..'|'..sock)
local g = redis.call('GET', p..'member:'..m..':group')
if g then
  redis.call('SADD', p..'member:'..m..':sockets', sock)
  return {g, 0, redis.call('HVALS', p..'group:'..g..':members')}
end
local prefer = ARGV[8]
if prefer ~= '' and redis.call('HLEN', p..'group:'..prefer..':members') < cap then
  g = prefer
else
  local open = redis.call('ZREVRANGE', p..'groups:open', 0, 0)
  if #open > 0 then g = open[1] else g = newGroup end
end
local key = p..'group:'..g..':members'
redis.call('HSET', key, m, profile)
local n = redis.call('HLEN', key)
if n >= cap then redis.call('ZREM', p..'groups:open', g) else redis.call('ZADD', p..'groups:open', n, g) end
redis.call('SADD', p..'groups:all', g)
redis.call('SADD', p..'members:all', m)
redis.call('SET', p..'member:'..m..':group', g)
redis.call('SADD', p..'member:'..m..':sockets', sock)
return {g, 1, redis.call('HVALS', key)}`;

// ARGV[3] is the socket leaving, or '' to give up the seat whatever sockets remain.
const LEAVE = `
local p, m, sock, cap = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local socketsKey = p..'member:'..m..':sockets'
local g = redis.call('GET', p..'member:'..m..':group')
if sock ~= '' then
  if redis.call('SREM', socketsKey, sock) == 0 then return false end
  redis.call('SREM', p..'instance:'..string.match(sock, '^[^:]*')..':sockets', m..'|'..sock)
  if not g then return false end
  if redis.call('SCARD', socketsKey) > 0 then return {g, 0, redis.call('HLEN', p..'group:'..g..':members')} end
end
if not g then return false end
for _, s in ipairs(redis.call('SMEMBERS', socketsKey)) do
  redis.call('SREM', p..'instance:'..string.match(s, '^[^:]*')..':sockets', m..'|'..s)
end
redis.call('DEL', socketsKey, p..'member:'..m..':group')
redis.call('SREM', p..'members:all', m)
local key = p..'group:'..g..':members'
redis.call('HDEL', key, m)
local n = redis.call('HLEN', key)
if n == 0 then
  redis.call('DEL', key)
  redis.call('ZREM', p..'groups:open', g)
  redis.call('SREM', p..'groups:all', g)
elseif n < cap then
  redis.call('ZADD', p..'groups:open', n, g)
end
return {g, 1, n}`;

// Answers 0 when the instance's marker was gone: Redis lost its data, or the instance was swept as dead.
const HEARTBEAT = `
local p, inst = ARGV[1], ARGV[2]
redis.call('ZADD', p..'instances:alive', ARGV[3], inst)
local known = redis.call('EXISTS', p..'instance:'..inst..':seen')
redis.call('SET', p..'instance:'..inst..':seen', 1, 'PX', ARGV[4])
return known`;

// Long enough never to lapse while the instance beats every few seconds; it only spares Redis dead ids.
const SEEN_TTL_MS = 3_600_000;

const REMOVE_ALL = `
local p = ARGV[1]
for _, g in ipairs(redis.call('SMEMBERS', p..'groups:all')) do redis.call('DEL', p..'group:'..g..':members') end
local members = redis.call('SMEMBERS', p..'members:all')
for _, m in ipairs(members) do redis.call('DEL', p..'member:'..m..':group', p..'member:'..m..':sockets') end
for _, i in ipairs(redis.call('SMEMBERS', p..'instances:all')) do redis.call('DEL', p..'instance:'..i..':sockets') end
redis.call('DEL', p..'groups:open', p..'groups:all', p..'members:all', p..'instances:all', p..'instances:alive')
return members`;

export class RedisGroupStore implements GroupStore {
  constructor(
    private readonly redis: Redis,
    /** REDIS_KEY_PREFIX + `groups:`; with the default, the keys of earlier releases. */
    private readonly prefix: string,
  ) {}

  async join(member: GroupMember, socket: string, newGroupId: string, preferGroupId = ''): Promise<JoinResult> {
    const [groupId, seated, profiles] = (await this.redis.eval(
      JOIN,
      0,
      this.prefix,
      member.member_id,
      socket,
      JSON.stringify(member),
      newGroupId,
      GROUP_CAPACITY,
      Date.now(), // liveness is wall time, as in the gateway's heartbeat
      preferGroupId,
    )) as [string, number, string[]];
    return { groupId, seated: seated === 1, members: profiles.map((p) => JSON.parse(p) as GroupMember) };
  }

  leaveSocket(memberId: string, socket: string): Promise<LeaveResult | undefined> {
    return this.leave(memberId, socket);
  }

  leaveMember(memberId: string): Promise<LeaveResult | undefined> {
    return this.leave(memberId, '');
  }

  async members(groupId: string): Promise<GroupMember[]> {
    const profiles = await this.redis.hvals(`${this.prefix}group:${groupId}:members`);
    return profiles.map((p) => JSON.parse(p) as GroupMember);
  }

  async groupOf(memberId: string): Promise<string | undefined> {
    return (await this.redis.get(`${this.prefix}member:${memberId}:group`)) ?? undefined;
  }

  async removeAll(): Promise<string[]> {
    return (await this.redis.eval(REMOVE_ALL, 0, this.prefix)) as string[];
  }

  async releaseInstance(instanceId: string): Promise<{ memberId: string; result: LeaveResult }[]> {
    const entries = await this.redis.smembers(`${this.prefix}instance:${instanceId}:sockets`);
    const released: { memberId: string; result: LeaveResult }[] = [];
    for (const entry of entries) {
      const [memberId, socket] = entry.split('|') as [string, string];
      const result = await this.leaveSocket(memberId, socket);
      if (result?.left) released.push({ memberId, result });
    }
    await this.redis.srem(`${this.prefix}instances:all`, instanceId);
    // Should the instance be alive after all (it stalled), its next heartbeat sees its seats were lost.
    await this.redis.del(`${this.prefix}instance:${instanceId}:seen`);
    return released;
  }

  async heartbeat(instanceId: string, nowMs: number): Promise<boolean> {
    return (await this.redis.eval(HEARTBEAT, 0, this.prefix, instanceId, nowMs, SEEN_TTL_MS)) === 0;
  }

  async takeStaleInstances(nowMs: number, ttlMs: number): Promise<string[]> {
    const key = `${this.prefix}instances:alive`;
    const stale = await this.redis.zrangebyscore(key, '-inf', nowMs - ttlMs);
    // ZREM answers 1 to exactly one caller per instance, so one sweeper releases each.
    const taken: string[] = [];
    for (const id of stale) if ((await this.redis.zrem(key, id)) === 1) taken.push(id);
    return taken;
  }

  private async leave(memberId: string, socket: string): Promise<LeaveResult | undefined> {
    const reply = (await this.redis.eval(LEAVE, 0, this.prefix, memberId, socket, GROUP_CAPACITY)) as
      [string, number, number] | null;
    if (!reply) return undefined;
    return { groupId: reply[0], left: reply[1] === 1, remaining: reply[2] };
  }
}
