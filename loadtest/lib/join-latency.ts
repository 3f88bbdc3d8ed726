import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import { type Percentiles, summarize } from '../../bench/lib/iterations.js';
import { ProcessSampler, processRss } from '../../bench/lib/proc.js';
import type { LoadMember } from './members.js';

export interface JoinLatencyOptions {
  /** One or more instances (loopback); sockets are spread over them in turn. */
  urls: string[];
  /** Distinct members, at least `sockets` of them: one socket per member. */
  members: LoadMember[];
  sockets: number;
  /** Joins started per second; each is a connect with `auth: { token }` and then `joinGroup`. */
  rate: number;
  /** Seconds all sockets are held (joined, idle) once every join has been delivered. */
  holdSeconds: number;
  /** Sockets disconnected per second at the end. */
  leaveRate: number;
  /** Server pids, in the order of `urls` (optional): RSS, CPU and open descriptors from /proc. */
  pids: number[];
  /** How long to wait after the last join for `newMember`s still on their way. */
  settleSeconds: number;
  /** Hard bound on the whole run; past it, every socket is closed and the partial figures returned. */
  maxSeconds: number;
  log?: (line: string) => void;
}

export interface ServerFigures {
  url: string;
  pid: number;
  /** Sockets of this run joined to this instance at the end of the join phase. */
  sockets: number;
  rssBefore?: number;
  rssHeld?: number;
  rssPeak?: number;
  rssAfterLeave?: number;
  /** (RSS at the end of the hold − RSS before the first connect) / sockets. */
  rssPerSocket?: number;
  openFilesHeld?: number;
  /** CPU of the process as a share of one core, over each phase. */
  cpuJoin?: number;
  cpuHold?: number;
  cpuLeave?: number;
}

export interface JoinLatencyResult {
  sockets: number;
  instances: number;
  rate: number;
  joined: number;
  failed: number;
  failureSamples: string[];
  /** connect (handshake with auth.token) → `connect` event. */
  connect: Percentiles;
  /** `joinGroup` sent → `groupInfo` back at the joiner. */
  groupInfo: Percentiles;
  /** `joinGroup` sent → that joiner's `newMember` received by every member already in the room (and the joiner). */
  broadcast: Percentiles;
  /** Joins whose `newMember` some expected member never received within the settle time. */
  undelivered: number;
  /** Deliveries received in all (each joiner's `newMember` at each expected member). */
  deliveries: number;
  /**
   * Members a joiner's `groupInfo` lists whose own join was still in flight and who never got its
   * `newMember` (their own `groupInfo` must then list the joiner: see `staleViews`).
   */
  inFlightExcluded: number;
  /**
   * Members whose list, built the PWA's way (`groupInfo` replaces it, later `newMember`s are appended),
   * differs from their room at the end of the join phase. Meaningful when nobody disconnected.
   */
  staleViews: number;
  /**
   * The members missing from (or extra in) those lists: `overwritten` = the member's `newMember`
   * arrived before the list's own `groupInfo`, which did not list it yet; `neverTold` = neither told
   * it; `crossInstance` = missing members on another instance than the list's socket; `extra` =
   * listed members not in the room, `foreign` of them not members of this run (e.g. a seat left over).
   */
  staleBreakdown: { overwritten: number; neverTold: number; extra: number; foreign: number; crossInstance: number };
  groups: number;
  largestGroup: number;
  peakConnected: number;
  unexpectedDisconnects: number;
  disconnectReasons: string[];
  joinPhaseSeconds: number;
  holdSeconds: number;
  servers: ServerFigures[];
  /** The load generator (this process) over the join phase. */
  client: { cpuJoin: number; loopDelayP99: number; loopDelayMax: number; rssHeld: number };
  machineBusyJoin?: number;
  machineBusyHold?: number;
  aborted?: string;
}

interface MemberInfo {
  member_id?: unknown;
}

interface Peer {
  index: number;
  member: LoadMember;
  url: string;
  socket?: Socket;
  startedAt: number;
  connectedAt?: number;
  joinSentAt?: number;
  infoAt?: number;
  groupId?: string;
  groupMembers?: string[];
  /** When this socket first received each member's `newMember`. */
  newMemberAt: Map<string, number>;
  failure?: string;
  leaving: boolean;
  connected: boolean;
}

function openFiles(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

const share = (sampler: ProcessSampler) =>
  sampler.cpuMs === undefined || sampler.wallMs <= 0 ? undefined : sampler.cpuMs / sampler.wallMs;

/**
 * Opens `sockets` socket.io connections as distinct members, joining at `rate` per second, and
 * measures for each join the time from `joinGroup` until the joiner's `newMember` has reached every
 * member of its room: the joiner itself and each member its `groupInfo` lists whose own `groupInfo`
 * had arrived before this join was sent (a member whose join was still in flight may or may not be
 * in the room yet when the broadcast goes out, so it is left out and counted). Then holds every
 * socket for `holdSeconds`, and disconnects them at `leaveRate`. Everything is closed at the end,
 * whatever happens.
 */
export async function measureJoinLatency(options: JoinLatencyOptions): Promise<JoinLatencyResult> {
  const log = options.log ?? (() => undefined);
  if (options.members.length < options.sockets) {
    throw new Error(`${options.sockets} sockets need as many members; the tokens file has ${options.members.length}`);
  }
  if (options.pids.length && options.pids.length !== options.urls.length) {
    throw new Error('give one pid per URL, in the same order');
  }
  const hardDeadline = performance.now() + options.maxSeconds * 1000;
  let aborted: string | undefined;
  const overdue = () => {
    if (!aborted && performance.now() > hardDeadline) aborted = `gave up after ${options.maxSeconds} s (--max-seconds)`;
    return aborted !== undefined;
  };

  const servers: ServerFigures[] = options.urls.map((url, i) => ({ url, pid: options.pids[i] ?? 0, sockets: 0 }));
  const measured = servers.filter((s) => s.pid > 0);
  const peakTimer = setInterval(() => {
    for (const s of measured) {
      const rss = processRss(s.pid);
      if (rss !== undefined) s.rssPeak = Math.max(s.rssPeak ?? 0, rss);
    }
  }, 200);
  for (const s of measured) s.rssBefore = processRss(s.pid);

  const peers: Peer[] = options.members.slice(0, options.sockets).map((member, index) => ({
    index,
    member,
    url: options.urls[index % options.urls.length],
    startedAt: 0,
    newMemberAt: new Map(),
    leaving: false,
    connected: false,
  }));
  const byMemberId = new Map(peers.map((p) => [p.member.memberId, p]));
  let connected = 0;
  let peakConnected = 0;
  let unexpectedDisconnects = 0;
  const disconnectReasons = new Set<string>();
  const failureSamples = new Set<string>();
  let settled = 0; // peers with groupInfo or a failure

  const fail = (peer: Peer, why: string) => {
    if (peer.failure !== undefined || peer.infoAt !== undefined) return;
    peer.failure = why;
    settled++;
    if (failureSamples.size < 5) failureSamples.add(why);
  };

  const launch = (peer: Peer) => {
    peer.startedAt = performance.now();
    const socket = io(peer.url, {
      auth: { token: peer.member.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 20_000,
    });
    peer.socket = socket;
    socket.on('connect', () => {
      peer.connectedAt = performance.now();
      peer.connected = true;
      connected++;
      peakConnected = Math.max(peakConnected, connected);
      peer.joinSentAt = performance.now();
      socket.emit('joinGroup', { jwtToken: peer.member.token });
    });
    socket.on('connect_error', (error: Error) => fail(peer, `connect_error: ${error.message}`));
    socket.on('newMember', (payload: MemberInfo) => {
      const at = performance.now();
      if (typeof payload?.member_id === 'string' && !peer.newMemberAt.has(payload.member_id)) {
        peer.newMemberAt.set(payload.member_id, at);
      }
    });
    socket.on('groupInfo', (payload: { groupId?: unknown; members?: MemberInfo[] }) => {
      if (peer.infoAt !== undefined || peer.failure !== undefined) return;
      peer.infoAt = performance.now();
      peer.groupId = typeof payload?.groupId === 'string' ? payload.groupId : undefined;
      peer.groupMembers = (payload?.members ?? [])
        .map((m) => m.member_id)
        .filter((id): id is string => typeof id === 'string');
      settled++;
    });
    socket.on('exception', (payload: unknown) => fail(peer, `exception ${JSON.stringify(payload)}`));
    socket.on('disconnect', (reason: string) => {
      if (peer.connected) connected--;
      peer.connected = false;
      if (!peer.leaving) {
        unexpectedDisconnects++;
        disconnectReasons.add(reason);
        fail(peer, `disconnected: ${reason}`);
      }
    });
  };

  /**
   * Who must receive the `newMember` of `joiner` (the joiner, and every member its `groupInfo` lists
   * whose own `groupInfo` had arrived before this join was sent), and who may (listed members whose
   * join was still in flight: their socket may have entered the room after the broadcast, and then
   * their own `groupInfo` lists the joiner instead). Undefined if the joiner never joined.
   */
  const expectedRecipients = (joiner: Peer): { required: Peer[]; inFlight: Peer[] } | undefined => {
    if (joiner.infoAt === undefined || joiner.joinSentAt === undefined || !joiner.groupMembers) return undefined;
    const sentAt = joiner.joinSentAt;
    const required: Peer[] = [joiner];
    const inFlight: Peer[] = [];
    for (const id of joiner.groupMembers) {
      const other = byMemberId.get(id);
      if (!other || other === joiner) continue;
      if (other.infoAt !== undefined && other.infoAt < sentAt) required.push(other);
      else inFlight.push(other);
    }
    return { required, inFlight };
  };

  const missingDeliveries = () => {
    let missing = 0;
    for (const joiner of peers) {
      const expected = expectedRecipients(joiner);
      if (!expected) continue;
      for (const r of expected.required) if (!r.newMemberAt.has(joiner.member.memberId)) missing++;
    }
    return missing;
  };

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const running: ProcessSampler[] = []; // each is stopped again in `finally`, so no timer outlives the run
  const samplers = (): ProcessSampler[] => {
    const created = measured.map((s) => new ProcessSampler(s.pid));
    running.push(...created);
    return created;
  };
  const machine = new ProcessSampler(process.pid); // machine-wide busy share over the same window
  running.push(machine);
  let joinPhaseSeconds = 0;
  let heldSeconds = 0;
  let clientCpuJoin = 0;
  let machineBusyJoin: number | undefined;
  let machineBusyHold: number | undefined;
  let clientRssHeld = 0;

  try {
    // Join phase: connect + joinGroup at `rate` per second, then wait for every groupInfo.
    log(`  joining ${options.sockets} sockets at ${options.rate}/s over ${options.urls.length} instance(s)…`);
    const joinSamplers = samplers();
    joinSamplers.forEach((s) => s.start());
    machine.start();
    loopDelay.enable();
    const cpuBefore = process.cpuUsage();
    const joinStarted = performance.now();
    let launched = 0;
    let lastReport = joinStarted;
    const report = () => {
      if (performance.now() - lastReport < 5000) return;
      lastReport = performance.now();
      log(`    ${launched} launched, ${settled} answered, ${connected} connected`);
    };
    while (launched < peers.length && !overdue()) {
      const due = Math.min(peers.length, Math.floor(((performance.now() - joinStarted) / 1000) * options.rate) + 1);
      while (launched < due) launch(peers[launched++]);
      report();
      await sleep(5);
    }
    // The last answers, then late deliveries: each wait is bounded by the settle time.
    let settleUntil = performance.now() + options.settleSeconds * 1000;
    while (settled < launched && performance.now() < settleUntil && !overdue()) {
      report();
      await sleep(20);
    }
    settleUntil = performance.now() + options.settleSeconds * 1000;
    while (missingDeliveries() > 0 && performance.now() < settleUntil && !overdue()) await sleep(100);
    joinPhaseSeconds = (performance.now() - joinStarted) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    clientCpuJoin = (cpu.user + cpu.system) / 1000 / (joinPhaseSeconds * 1000);
    loopDelay.disable();
    joinSamplers.forEach((s) => s.stop());
    machine.stop();
    machineBusyJoin = machine.machineBusy;
    measured.forEach((s, i) => (s.cpuJoin = share(joinSamplers[i])));
    for (const peer of peers) {
      if (peer.infoAt !== undefined && peer.connected) {
        const server = servers.find((s) => s.url === peer.url);
        if (server) server.sockets++;
      }
    }

    // Hold: every socket idle in its room.
    if (!aborted && options.holdSeconds > 0) {
      log(`  holding ${connected} sockets for ${options.holdSeconds} s…`);
      const holdSamplers = samplers();
      holdSamplers.forEach((s) => s.start());
      machine.start();
      const holdStarted = performance.now();
      while (performance.now() - holdStarted < options.holdSeconds * 1000 && !overdue()) await sleep(100);
      heldSeconds = (performance.now() - holdStarted) / 1000;
      holdSamplers.forEach((s) => s.stop());
      machine.stop();
      machineBusyHold = machine.machineBusy;
      measured.forEach((s, i) => (s.cpuHold = share(holdSamplers[i])));
    }
    clientRssHeld = process.memoryUsage().rss;
    for (const s of measured) {
      s.rssHeld = processRss(s.pid);
      s.openFilesHeld = openFiles(s.pid);
      if (s.rssHeld !== undefined && s.rssBefore !== undefined && s.sockets > 0) {
        s.rssPerSocket = (s.rssHeld - s.rssBefore) / s.sockets;
      }
    }
  } finally {
    running.forEach((s) => s.stop()); // figures already taken; this only clears their timers
    // Leave: disconnect at `leaveRate` (all at once if the run is being given up).
    const leaveSamplers = samplers();
    leaveSamplers.forEach((s) => s.start());
    const leaveStarted = performance.now();
    let closed = 0;
    const open = peers.filter((p) => p.socket);
    while (closed < open.length) {
      const due = aborted
        ? open.length
        : Math.min(open.length, Math.floor(((performance.now() - leaveStarted) / 1000) * options.leaveRate) + 1);
      while (closed < due) {
        const peer = open[closed++];
        peer.leaving = true;
        peer.socket?.disconnect();
      }
      await sleep(5);
    }
    await sleep(1000); // the server's leave work (store, memberLeft) after the last disconnect
    leaveSamplers.forEach((s) => s.stop());
    measured.forEach((s, i) => {
      s.cpuLeave = share(leaveSamplers[i]);
      s.rssAfterLeave = processRss(s.pid);
    });
    clearInterval(peakTimer);
    loopDelay.disable();
  }

  // Figures.
  const connectMs: number[] = [];
  const infoMs: number[] = [];
  const broadcastMs: number[] = [];
  let undelivered = 0;
  let deliveries = 0;
  let inFlightExcluded = 0;
  const groupSizes = new Map<string, number>();
  for (const peer of peers) {
    if (peer.connectedAt !== undefined) connectMs.push(peer.connectedAt - peer.startedAt);
    if (peer.infoAt === undefined || peer.joinSentAt === undefined) continue;
    infoMs.push(peer.infoAt - peer.joinSentAt);
    if (peer.groupId)
      groupSizes.set(peer.groupId, Math.max(groupSizes.get(peer.groupId) ?? 0, peer.groupMembers?.length ?? 0));
    const expected = expectedRecipients(peer);
    if (!expected) continue;
    let last = 0;
    let complete = true;
    for (const r of expected.required) {
      const at = r.newMemberAt.get(peer.member.memberId);
      if (at === undefined) complete = false;
      else {
        deliveries++;
        last = Math.max(last, at);
      }
    }
    for (const r of expected.inFlight) {
      const at = r.newMemberAt.get(peer.member.memberId);
      if (at === undefined) inFlightExcluded++;
      else {
        deliveries++;
        last = Math.max(last, at);
      }
    }
    if (complete) broadcastMs.push(last - peer.joinSentAt);
    else undelivered++;
  }

  // What each member's list shows, the PWA's way: `groupInfo` replaces the list and every later
  // `newMember` is appended. With nobody leaving, it must equal the room as the joins left it.
  const rooms = new Map<string, Set<string>>();
  for (const peer of peers) {
    if (peer.groupId === undefined) continue;
    const room = rooms.get(peer.groupId) ?? new Set<string>();
    room.add(peer.member.memberId);
    rooms.set(peer.groupId, room);
  }
  let staleViews = 0;
  const stale = { overwritten: 0, neverTold: 0, extra: 0, foreign: 0, crossInstance: 0 };
  for (const peer of peers) {
    if (peer.groupId === undefined || peer.infoAt === undefined || !peer.groupMembers) continue;
    const infoAt = peer.infoAt;
    const view = new Set(peer.groupMembers);
    for (const [id, at] of peer.newMemberAt) if (at > infoAt) view.add(id);
    const room = rooms.get(peer.groupId) ?? new Set<string>();
    const missing = [...room].filter((id) => !view.has(id));
    const extra = [...view].filter((id) => !room.has(id));
    if (!missing.length && !extra.length) continue;
    staleViews++;
    stale.extra += extra.length;
    stale.foreign += extra.filter((id) => !byMemberId.has(id)).length;
    for (const id of missing) {
      // Told before its own groupInfo, which did not list the member yet and replaced the list.
      if (peer.newMemberAt.has(id)) stale.overwritten++;
      else stale.neverTold++;
      if (byMemberId.get(id)?.url !== peer.url) stale.crossInstance++;
    }
  }

  return {
    sockets: options.sockets,
    instances: options.urls.length,
    rate: options.rate,
    joined: infoMs.length,
    failed: peers.length - infoMs.length, // refused, lost or never answered
    failureSamples: [...failureSamples],
    connect: summarize(connectMs),
    groupInfo: summarize(infoMs),
    broadcast: summarize(broadcastMs),
    undelivered,
    deliveries,
    inFlightExcluded,
    staleViews,
    staleBreakdown: stale,
    groups: groupSizes.size,
    largestGroup: Math.max(0, ...groupSizes.values()),
    peakConnected,
    unexpectedDisconnects,
    disconnectReasons: [...disconnectReasons],
    joinPhaseSeconds,
    holdSeconds: heldSeconds,
    servers,
    client: {
      cpuJoin: clientCpuJoin,
      loopDelayP99: loopDelay.count ? loopDelay.percentile(99) / 1e6 : Number.NaN,
      loopDelayMax: loopDelay.count ? loopDelay.max / 1e6 : Number.NaN,
      rssHeld: clientRssHeld,
    },
    machineBusyJoin,
    machineBusyHold,
    aborted,
  };
}

const mib = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : (bytes / 2 ** 20).toFixed(0));
const kib = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : (bytes / 1024).toFixed(1));
const pct = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? 'n/a' : (100 * value).toFixed(0);
const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(1));

/** A readable report of one run. */
export function describeResult(r: JoinLatencyResult): string {
  const lines = [
    `${r.sockets} sockets over ${r.instances} instance(s), joins at ${r.rate}/s` +
      (r.aborted ? ` — ABORTED: ${r.aborted}` : ''),
    `  joined ${r.joined}, failed ${r.failed}${r.failureSamples.length ? ` (${r.failureSamples.join('; ')})` : ''}; ` +
      `peak connected ${r.peakConnected}; unexpected disconnects ${r.unexpectedDisconnects}` +
      (r.disconnectReasons.length ? ` (${r.disconnectReasons.join(', ')})` : ''),
    `  groups ${r.groups}, largest ${r.largestGroup}; join phase ${r.joinPhaseSeconds.toFixed(1)} s, hold ${r.holdSeconds.toFixed(1)} s`,
    `  join → newMember at every member: p50 ${ms(r.broadcast.p50)} ms, p95 ${ms(r.broadcast.p95)}, p99 ${ms(r.broadcast.p99)}, ` +
      `max ${ms(r.broadcast.max)} (${r.broadcast.count} joins, ${r.deliveries} deliveries; ` +
      `${r.undelivered} joins not delivered everywhere; ${r.inFlightExcluded} in-flight members learnt it from groupInfo)`,
    `  lists as the PWA builds them that differ from the room: ${r.staleViews}` +
      (r.staleViews
        ? ` (missing members: ${r.staleBreakdown.overwritten} told by newMember before groupInfo, ` +
          `${r.staleBreakdown.neverTold} never told, ${r.staleBreakdown.crossInstance} of them on another instance; ` +
          `${r.staleBreakdown.extra} extra, ${r.staleBreakdown.foreign} of them not of this run)`
        : ''),
    `  join → groupInfo: p50 ${ms(r.groupInfo.p50)} ms, p99 ${ms(r.groupInfo.p99)}; ` +
      `connect: p50 ${ms(r.connect.p50)} ms, p99 ${ms(r.connect.p99)}`,
  ];
  for (const s of r.servers) {
    if (!s.pid) continue;
    lines.push(
      `  server ${s.pid} (${s.url}): ${s.sockets} sockets; CPU join ${pct(s.cpuJoin)} %, hold ${pct(s.cpuHold)} %, ` +
        `leave ${pct(s.cpuLeave)} % of a core; RSS before ${mib(s.rssBefore)} MiB, held ${mib(s.rssHeld)}, ` +
        `peak ${mib(s.rssPeak)}, after leave ${mib(s.rssAfterLeave)}; ${kib(s.rssPerSocket)} KiB/socket; ` +
        `${s.openFilesHeld ?? 'n/a'} open files held`,
    );
  }
  lines.push(
    `  load generator: CPU ${pct(r.client.cpuJoin)} % of a core over the join phase, event-loop delay ` +
      `p99 ${ms(r.client.loopDelayP99)} ms / max ${ms(r.client.loopDelayMax)} ms, RSS ${mib(r.client.rssHeld)} MiB; ` +
      `machine busy ${pct(r.machineBusyJoin)} % (join), ${pct(r.machineBusyHold)} % (hold)`,
  );
  return lines.join('\n');
}
