import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { Clock } from '../common/clock.js';
import { EventBus } from '../common/events.js';
import { Random } from '../common/random.js';
import { ERRORS, type SocketErrorCode, socketErrorBody } from '../common/wire/error-codes.js';
import { CONFIG, type Config } from '../config/config.js';
import { GROUP_STORE, type GroupMember, type GroupStore, type LeaveResult, socketRef } from './group-store.js';
import { GroupReseat } from './group-reseat.js';
import { GroupRosters } from './group-rosters.js';
import { ConnectionsPerIp, JoinDeadlines } from './socket-limits.js';
import { type Identity, StudyGroupsService } from './study-groups.service.js';

const HEARTBEAT_MS = 5_000;
const STALE_AFTER_MS = 20_000;
const memberRoom = (memberId: string) => `member:${memberId}`;
/** A member left its group through one socket: every instance resets that member's other sockets. */
const MEMBER_OUT = 'study-groups:member-out';

interface SocketData {
  /** Set at the handshake when it carried a valid `auth.token`. */
  identity?: Identity;
  memberId?: string;
  /** The group this socket sits in, and the member as seated (kept to re-seat them if Redis loses them). */
  groupId?: string;
  member?: GroupMember;
  joinPending?: boolean;
  /** Who this socket's list shows: its `groupInfo`, then the changes told since. */
  listed?: Set<string>;
}

type GroupSocket = Socket & { data: SocketData };

/**
 * The live study room (docs/routes.md, Socket.io). It turns socket events into store calls and store
 * results into the contract's events, and relays the internal events (timer, account deletion) to the
 * rooms; `GroupRosters` tells sockets of joins and leaves, `socket-limits.ts` bounds connections.
 */
@WebSocketGateway()
export class StudyGroupGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  @WebSocketServer() private server!: Server;
  private readonly logger = new Logger(StudyGroupGateway.name);
  private readonly instanceId: string;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Sockets gone whose seat waits GROUP_RECONNECT_GRACE_SECONDS for the member's next socket, by ref. */
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  /** Set once this instance has released its sockets: the seats of later disconnects go at once. */
  private stopping = false;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly rosters: GroupRosters;
  /** Sockets not seated yet are disconnected after SOCKET_JOIN_TIMEOUT_SECONDS. */
  private readonly deadlines: JoinDeadlines;
  /** Sockets gone whose seat could not be given up (Redis away), by ref; retried at each beat. */
  private readonly pendingLeaves = new Map<string, { memberId: string; groupId?: string }>();
  /** Set when the store lost this instance's seats; cleared once every socket here is re-seated. */
  private reseatDue = false;
  private beating = false;
  private readonly connections: ConnectionsPerIp;
  private readonly reseats: GroupReseat;

  constructor(
    @Inject(GROUP_STORE) private readonly store: GroupStore,
    @Inject(CONFIG) private readonly config: Config,
    private readonly groups: StudyGroupsService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {
    this.instanceId = random.uuid();
    this.rosters = new GroupRosters(Boolean(config.REDIS_URL));
    this.connections = new ConnectionsPerIp(config.SOCKET_MAX_PER_IP, config.TRUST_PROXY);
    this.deadlines = new JoinDeadlines(config.SOCKET_JOIN_TIMEOUT_SECONDS * 1000);
    this.reseats = new GroupReseat({
      server: () => this.server,
      store,
      rosters: this.rosters,
      instanceId: this.instanceId,
      random,
      leftMeanwhile: (socket, memberId, ref) => this.leftMeanwhile(socket as GroupSocket, memberId, ref),
      guard: (work) => this.guard(work),
    });
  }

  afterInit(server: Server): void {
    this.connections.attach(server);
    // An `auth.token` that is there must be valid; without one, `joinGroup {jwtToken}` decides.
    server.use((socket: GroupSocket, next) => {
      const token: unknown = socket.handshake.auth?.token;
      if (token === undefined || token === null || token === '') return next();
      this.groups.identify(token).then(
        (identity) => {
          socket.data.identity = identity;
          next();
        },
        () => next(new Error(ERRORS.UNAUTHENTICATED.socket)),
      );
    });
    this.rosters.attach(server);
    if (this.config.REDIS_URL) server.of('/').on(MEMBER_OUT, (memberId: string) => this.unseatSockets(memberId));
    this.unsubscribe.push(
      this.events.on('account.deleted', ({ memberId }) => memberId && void this.evict(memberId)),
      // A new password or a reused chain: sockets opened with the account's old tokens go, like an erasure's.
      this.events.on('account.credentials-ended', ({ accountId }) => void this.evictAccount(accountId)),
      this.events.on('study.started', ({ memberId, startTime }) => void this.status(memberId, startTime)),
      this.events.on('study.ended', ({ memberId }) => void this.status(memberId, null)),
    );
    const beat = () => void this.heartbeat();
    beat();
    this.timers.push(setInterval(beat, HEARTBEAT_MS).unref());
  }

  handleConnection(socket: GroupSocket): void {
    this.awaitJoin(socket);
  }

  async handleDisconnect(socket: GroupSocket): Promise<void> {
    this.rosters.release(socket);
    const memberId = socket.data.memberId;
    if (!memberId) return;
    const ref = socketRef(this.instanceId, socket.id);
    const grace = this.config.GROUP_RECONNECT_GRACE_SECONDS * 1000;
    const groupId = socket.data.groupId;
    const leave = () => this.leaveSocket(memberId, ref, groupId);
    // A stopping instance holds no grace: a timer would outlive it (and its store connection).
    if (grace <= 0 || this.stopping) return leave();
    const timer = setTimeout(() => {
      this.graceTimers.delete(ref);
      void leave();
    }, grace).unref();
    this.graceTimers.set(ref, timer);
  }

  @SubscribeMessage('joinGroup')
  async joinGroup(@ConnectedSocket() socket: GroupSocket, @MessageBody() body: unknown) {
    socket.data.joinPending = true;
    try {
      return await this.join(socket, body);
    } finally {
      socket.data.joinPending = false;
    }
  }

  private async join(socket: GroupSocket, body: unknown) {
    let identity = socket.data.identity;
    if (!identity) {
      try {
        identity = await this.groups.identify((body as { jwtToken?: unknown } | undefined)?.jwtToken);
      } catch {
        return this.refuse(socket, 'UNAUTHENTICATED');
      }
    }
    try {
      const profile = await this.groups.profile(identity.accountId);
      if (!profile) return this.refuse(socket, 'UNAUTHENTICATED');
      const joined: GroupMember = { ...profile, joinedAtUTC: this.clock.now().toISOString() };
      const held = this.rosters.hold(socket);
      const ref = socketRef(this.instanceId, socket.id);
      // Set first: should the join fail after all (a timeout on a command Redis still ran), the disconnect
      // that follows the refusal gives up whatever it stored.
      socket.data.memberId = joined.member_id;
      try {
        // `members` is the group as this join left it (read atomically with it).
        const { groupId, seated, members } = await this.store.join(joined, ref, this.random.uuid());
        if (await this.leftMeanwhile(socket, joined.member_id, ref)) return;
        await socket.join([groupId, memberRoom(joined.member_id)]);
        const self = members.find((m) => m.member_id === joined.member_id) ?? joined;
        [socket.data.groupId, socket.data.member] = [groupId, self];
        this.deadlines.clear(socket);
        // The contract's order: `newMember` (the joiner's own), then `groupInfo`; the others hear of the
        // joiner through `announce`. A member's further socket takes no new seat, so nobody else hears.
        socket.emit('newMember', self);
        const info = { groupId, members: members.map(toInfoMember) };
        socket.emit('groupInfo', info);
        socket.data.listed = new Set(members.map((m) => m.member_id));
        for (const change of held) if (change.groupId === groupId) this.rosters.tell(socket, change);
        if (seated) this.rosters.announce({ groupId, joined: self });
        return info;
      } finally {
        this.rosters.release(socket);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'joinGroup failed');
      return this.refuse(socket, 'GROUPS_UNAVAILABLE');
    }
  }

  /** Gives up the seat on every socket of the member (not in the original; the PWA disconnects). */
  @SubscribeMessage('leaveGroup')
  async leaveGroup(@ConnectedSocket() socket: GroupSocket) {
    const memberId = socket.data.memberId;
    if (!memberId) return { status: 'success' };
    let result: LeaveResult | undefined;
    try {
      result = await this.store.leaveMember(memberId);
    } catch (error) {
      // Refused like a join: the client wanted out, and its disconnect gives the seat up once Redis answers.
      this.logger.warn({ err: error }, 'leaveGroup failed');
      return this.refuse(socket, 'GROUPS_UNAVAILABLE');
    }
    if (result) this.server.in(memberRoom(memberId)).socketsLeave(result.groupId);
    // Every socket of the member, here and on the other instances, is out of the room: none stays seated.
    this.unseatSockets(memberId);
    socket.data.groupId = undefined;
    this.awaitJoin(socket);
    if (this.config.REDIS_URL) this.server.serverSideEmit(MEMBER_OUT, memberId);
    this.announceLeave(memberId, result);
    return { status: 'success' };
  }

  @SubscribeMessage('removeAllData')
  async removeAllData(@ConnectedSocket() socket: GroupSocket, @MessageBody() body: unknown) {
    const token = (body as { jwtToken?: unknown } | undefined)?.jwtToken;
    // Admin is the live account's role, not the token's claim.
    const admin = await this.groups.identify(token).then(
      (identity) => identity.isAdmin,
      () => false,
    );
    if (!admin) return this.answerError(socket, 'FORBIDDEN');
    let memberIds: string[];
    try {
      memberIds = await this.store.removeAll();
    } catch (error) {
      this.logger.warn({ err: error }, 'removeAllData failed');
      return this.answerError(socket, 'GROUPS_UNAVAILABLE');
    }
    for (const memberId of memberIds) this.server.in(memberRoom(memberId)).disconnectSockets(true);
    return { status: 'success', removed: memberIds.length };
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.timers.forEach(clearTimeout);
    this.reseats.stop();
    this.deadlines.clearAll();
    // The sockets in grace are this instance's: `releaseInstance` gives their seats up now.
    this.graceTimers.forEach(clearTimeout);
    this.graceTimers.clear();
    this.unsubscribe.forEach((off) => off());
    await this.guard(async () => {
      for (const { memberId, result } of await this.store.releaseInstance(this.instanceId)) {
        this.announceLeave(memberId, result);
      }
    });
  }

  /** A refused client is told why (ack and `exception`), then disconnected. */
  private refuse(socket: GroupSocket, code: SocketErrorCode) {
    const exception = this.answerError(socket, code);
    setImmediate(() => socket.disconnect(true));
    return exception;
  }

  /** The `exception` event, and the same body for the ack: how every failed request is answered. */
  private answerError(socket: GroupSocket, code: SocketErrorCode) {
    const exception = socketErrorBody(code);
    socket.emit('exception', exception);
    return exception;
  }

  /** The PWA connects only to join: a socket still without a seat after SOCKET_JOIN_TIMEOUT_SECONDS goes. */
  private awaitJoin(socket: GroupSocket): void {
    // A join in flight ends seated or refused (and disconnected) on its own.
    this.deadlines.start(
      socket,
      () => !socket.data.groupId && !socket.data.joinPending && this.refuse(socket, 'JOIN_TIMEOUT'),
    );
  }

  /**
   * A leave that fails (Redis away, or a timeout) is retried at each heartbeat, so the seat does not outlive
   * the socket. A retry finding nothing to remove (Redis emptied, or the timed-out command ran after all)
   * still tells the group, if the member holds no seat any more.
   */
  private async leaveSocket(memberId: string, ref: string, groupId?: string, retry = false): Promise<void> {
    try {
      const result = await this.store.leaveSocket(memberId, ref);
      this.pendingLeaves.delete(ref);
      if (result || !retry || !groupId) return this.announceLeave(memberId, result);
      if ((await this.store.groupOf(memberId)) === undefined) this.rosters.announce({ groupId, left: memberId });
    } catch (error) {
      this.pendingLeaves.set(ref, { memberId, groupId });
      this.logger.warn({ err: error }, 'group store unavailable');
    }
  }

  /** A socket gone while its join was in flight: its leave may have run ahead of the join, so leave again. */
  private async leftMeanwhile(socket: GroupSocket, memberId: string, ref: string): Promise<boolean> {
    if (socket.connected) return false;
    if (!this.graceTimers.has(ref)) await this.leaveSocket(memberId, ref);
    return true;
  }

  private announceLeave(memberId: string, result: LeaveResult | undefined): void {
    if (result?.left && result.remaining > 0) this.rosters.announce({ groupId: result.groupId, left: memberId });
  }

  /** This instance's sockets of the member no longer sit in a group: each waits for a join again. */
  private unseatSockets(memberId: string): void {
    const namespace = this.server.of('/');
    for (const id of namespace.adapter.rooms.get(memberRoom(memberId)) ?? []) {
      const socket = namespace.sockets.get(id) as GroupSocket | undefined;
      if (!socket || socket.data.joinPending) continue;
      socket.data.groupId = undefined;
      this.awaitJoin(socket);
    }
  }

  private async evictAccount(accountId: string): Promise<void> {
    await this.guard(async () => {
      const member = await this.groups.profile(accountId);
      if (member) await this.evict(member.member_id);
    });
  }

  /** An erased account leaves its group at once, and its sockets are closed. */
  private async evict(memberId: string): Promise<void> {
    await this.guard(async () => {
      this.announceLeave(memberId, await this.store.leaveMember(memberId));
      this.server.in(memberRoom(memberId)).disconnectSockets(true);
    });
  }

  private async status(memberId: string, startTime: Date | null): Promise<void> {
    await this.guard(async () => {
      const groupId = await this.store.groupOf(memberId);
      if (!groupId) return;
      this.server.to(groupId).emit('memberStatus', {
        member_id: memberId,
        is_studying: startTime !== null,
        start_time: startTime?.toISOString() ?? null,
      });
    });
  }

  /** Keeps this instance marked alive and releases the seats of instances that stopped beating. */
  private async heartbeat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    await this.guard(async () => {
      const now = Date.now(); // liveness is wall time, whatever the domain clock says
      if (await this.store.heartbeat(this.instanceId, now)) this.reseatDue = true;
      if (this.reseatDue) {
        await this.reseats.all();
        this.reseatDue = false;
      }
      for (const [ref, { memberId, groupId }] of [...this.pendingLeaves]) {
        await this.leaveSocket(memberId, ref, groupId, true);
      }
      for (const dead of await this.store.takeStaleInstances(now, STALE_AFTER_MS)) {
        for (const { memberId, result } of await this.store.releaseInstance(dead)) this.announceLeave(memberId, result);
      }
    });
    this.beating = false;
  }

  /** Store failures (Redis away) are logged; the gateway keeps serving and recovers with Redis. */
  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.warn({ err: error }, 'group store unavailable');
    }
  }
}

/** `groupInfo` lists `''` for a missing image or nickname, as the original did. */
function toInfoMember(m: GroupMember): GroupMember {
  return { ...m, image_url: m.image_url ?? '', nickname: m.nickname ?? '' };
}
