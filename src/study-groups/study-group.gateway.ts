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
import { CONFIG, type Config } from '../config/config.js';
import { GROUP_STORE, type GroupMember, type GroupStore, type LeaveResult, socketRef } from './group-store.js';
import { type Identity, StudyGroupsService } from './study-groups.service.js';

const HEARTBEAT_MS = 5_000;
const STALE_AFTER_MS = 20_000;
const memberRoom = (memberId: string) => `member:${memberId}`;
const ROSTER = 'study-groups:roster';

/** A member joined or left a group; each socket of the group is told once (see `tell`). */
type RosterChange = { groupId: string } & ({ joined: GroupMember } | { left: string });

interface SocketData {
  /** Set at the handshake when it carried a valid `auth.token`. */
  identity?: Identity;
  memberId?: string;
  /** Who this socket's list shows: its `groupInfo`, then the changes told since. */
  listed?: Set<string>;
}

type GroupSocket = Socket & { data: SocketData };

/**
 * The live study room (WIRE-CONTRACT §3, SPEC §2.10). The only file that talks socket.io: it turns
 * socket events into store calls and store results into the contract's events, and relays the
 * internal events (timer, account deletion) to the rooms.
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
  /** Sockets whose join is in flight, with the roster changes held for them until their `groupInfo`. */
  private readonly joining = new Map<GroupSocket, RosterChange[]>();

  constructor(
    @Inject(GROUP_STORE) private readonly store: GroupStore,
    @Inject(CONFIG) private readonly config: Config,
    private readonly groups: StudyGroupsService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {
    this.instanceId = random.uuid();
  }

  afterInit(server: Server): void {
    // An `auth.token` that is there must be valid; without one, `joinGroup {jwtToken}` decides.
    server.use((socket: GroupSocket, next) => {
      const token: unknown = socket.handshake.auth?.token;
      if (token === undefined || token === null || token === '') return next();
      this.groups.identify(token).then(
        (identity) => {
          socket.data.identity = identity;
          next();
        },
        () => next(new Error('unauthorized')),
      );
    });
    // Roster changes cross instances as server-side events (there is no other instance without Redis).
    if (this.config.REDIS_URL) server.of('/').on(ROSTER, (change: RosterChange) => this.deliver(change));
    this.unsubscribe.push(
      this.events.on('account.deleted', ({ memberId }) => memberId && void this.evict(memberId)),
      this.events.on('study.started', ({ memberId, startTime }) => void this.status(memberId, startTime)),
      this.events.on('study.ended', ({ memberId }) => void this.status(memberId, null)),
    );
    const beat = () => void this.heartbeat();
    beat();
    this.timers.push(setInterval(beat, HEARTBEAT_MS).unref());
  }

  handleConnection(): void {
    // Nothing to do until `joinGroup`: the PWA connects only to join.
  }

  async handleDisconnect(socket: GroupSocket): Promise<void> {
    this.joining.delete(socket);
    const memberId = socket.data.memberId;
    if (!memberId) return;
    const ref = socketRef(this.instanceId, socket.id);
    const grace = this.config.GROUP_RECONNECT_GRACE_SECONDS * 1000;
    const leave = () =>
      this.guard(async () => this.announceLeave(memberId, await this.store.leaveSocket(memberId, ref)));
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
    let identity = socket.data.identity;
    if (!identity) {
      try {
        identity = await this.groups.identify((body as { jwtToken?: unknown } | undefined)?.jwtToken);
      } catch {
        return this.refuse(socket, 'unauthorized');
      }
    }
    try {
      const profile = await this.groups.profile(identity.accountId);
      if (!profile) return this.refuse(socket, 'unauthorized');
      const joined: GroupMember = { ...profile, joinedAtUTC: this.clock.now().toISOString() };
      const held: RosterChange[] = [];
      this.joining.set(socket, held);
      try {
        // `members` is the group as this join left it (read atomically with it).
        const { groupId, seated, members } = await this.store.join(
          joined,
          socketRef(this.instanceId, socket.id),
          this.random.uuid(),
        );
        socket.data.memberId = joined.member_id;
        await socket.join([groupId, memberRoom(joined.member_id)]);
        const self = members.find((m) => m.member_id === joined.member_id) ?? joined;
        // The contract's order: `newMember` (the joiner's own), then `groupInfo`; the others hear of the
        // joiner through `announce`. A member's further socket takes no new seat, so nobody else hears.
        socket.emit('newMember', self);
        const info = { groupId, members: members.map(toInfoMember) };
        socket.emit('groupInfo', info);
        socket.data.listed = new Set(members.map((m) => m.member_id));
        for (const change of held) if (change.groupId === groupId) this.tell(socket, change);
        if (seated) this.announce({ groupId, joined: self });
        return info;
      } finally {
        this.joining.delete(socket);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'joinGroup failed');
      return this.refuse(socket, 'unavailable');
    }
  }

  /** Gives up the seat on every socket of the member (not in the original; the PWA disconnects). */
  @SubscribeMessage('leaveGroup')
  async leaveGroup(@ConnectedSocket() socket: GroupSocket) {
    const memberId = socket.data.memberId;
    if (!memberId) return { status: 'success' };
    const result = await this.store.leaveMember(memberId);
    if (result) this.server.in(memberRoom(memberId)).socketsLeave(result.groupId);
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
    if (!admin) {
      const exception = { status: 'error', message: 'Internal server error' };
      socket.emit('exception', exception);
      return exception;
    }
    const memberIds = await this.store.removeAll();
    for (const memberId of memberIds) this.server.in(memberRoom(memberId)).disconnectSockets(true);
    return { status: 'success', removed: memberIds.length };
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.timers.forEach(clearTimeout);
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
  private refuse(socket: GroupSocket, reason: string) {
    const exception = { status: 'error', message: reason };
    socket.emit('exception', exception);
    setImmediate(() => socket.disconnect(true));
    return exception;
  }

  private announceLeave(memberId: string, result: LeaveResult | undefined): void {
    if (result?.left && result.remaining > 0) this.announce({ groupId: result.groupId, left: memberId });
  }

  /**
   * Joins and leaves are not room broadcasts: the PWA appends on `newMember` and replaces its list on
   * `groupInfo`, and with several instances a broadcast can overtake or trail a concurrent joiner's
   * `groupInfo` (a member listed twice, or lost). So each instance tells its own sockets, comparing with
   * what each socket already lists, and holds the changes for sockets still joining.
   */
  private announce(change: RosterChange): void {
    this.deliver(change);
    if (this.config.REDIS_URL) this.server.serverSideEmit(ROSTER, change);
  }

  private deliver(change: RosterChange): void {
    for (const held of this.joining.values()) held.push(change);
    const namespace = this.server.of('/');
    for (const id of namespace.adapter.rooms.get(change.groupId) ?? []) {
      const socket = namespace.sockets.get(id) as GroupSocket | undefined;
      if (socket && !this.joining.has(socket)) this.tell(socket, change);
    }
  }

  /** Tells the socket what its list lacks: a member is listed once, and leaves once. */
  private tell(socket: GroupSocket, change: RosterChange): void {
    const listed = socket.data.listed;
    if (!listed) return;
    if ('joined' in change) {
      if (listed.has(change.joined.member_id)) return;
      listed.add(change.joined.member_id);
      socket.emit('newMember', change.joined);
    } else if (listed.delete(change.left)) {
      socket.emit('memberLeft', { memberId: change.left });
    }
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
    await this.guard(async () => {
      const now = Date.now(); // liveness is wall time, whatever the domain clock says
      await this.store.heartbeat(this.instanceId, now);
      for (const dead of await this.store.takeStaleInstances(now, STALE_AFTER_MS)) {
        for (const { memberId, result } of await this.store.releaseInstance(dead)) this.announceLeave(memberId, result);
      }
    });
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
