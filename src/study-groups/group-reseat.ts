import type { Server, Socket } from 'socket.io';
import type { Random } from '../common/random.js';
import { type GroupMember, type GroupStore, socketRef } from './group-store.js';
import type { GroupRosters } from './group-rosters.js';

/** After a re-seat, every live instance has beaten (and re-seated its own sockets) within this time. */
export const SETTLE_MS = 10_000;

type SeatedSocket = Socket & {
  data: { groupId?: string; member?: GroupMember; listed?: Set<string> };
};

export interface ReseatDeps {
  server: () => Server;
  store: GroupStore;
  rosters: GroupRosters;
  instanceId: string;
  random: Random;
  /** A socket gone while its re-seat was in flight gives its seat up again (the gateway's leave). */
  leftMeanwhile(socket: Socket, memberId: string, ref: string): Promise<boolean>;
  /** Store failures are logged, not thrown (the gateway's guard). */
  guard(work: () => Promise<void>): Promise<void>;
}

/**
 * Redis came back empty (or this instance was swept as dead): each socket here that sat in a group is
 * seated again, in the same group while it has room, so the rooms survive. The PWA reads one `groupInfo`
 * only, so the lists are put right with `newMember` / `memberLeft` (and `settle` for those never back).
 */
export class GroupReseat {
  /** One settle pass pending at most: a later re-seat replaces it. */
  private settleTimer?: NodeJS.Timeout;

  constructor(private readonly deps: ReseatDeps) {}

  /** Re-seats every socket of this instance that sat in a group; the settle pass follows SETTLE_MS later. */
  async all(): Promise<void> {
    const { server, rosters } = this.deps;
    const sockets = [...server().of('/').sockets.values()] as SeatedSocket[];
    let reseated = 0;
    for (const socket of sockets) {
      const { groupId, member } = socket.data;
      if (!socket.connected || !groupId || !member || !socket.rooms.has(groupId) || rosters.isJoining(socket)) {
        continue;
      }
      await this.reseat(socket, member, groupId);
      reseated++;
    }
    if (reseated === 0) return;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      void this.deps.guard(() => this.settle());
    }, SETTLE_MS).unref();
  }

  stop(): void {
    clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
  }

  private async reseat(socket: SeatedSocket, member: GroupMember, previous: string): Promise<void> {
    const { store, rosters, instanceId, random } = this.deps;
    const held = rosters.hold(socket);
    try {
      const ref = socketRef(instanceId, socket.id);
      const { groupId, seated, members } = await store.join(member, ref, random.uuid(), previous);
      if (await this.deps.leftMeanwhile(socket, member.member_id, ref)) return;
      if (groupId !== previous) {
        // Its group filled up meanwhile: it moves, and both groups hear of it.
        await socket.leave(previous);
        await socket.join(groupId);
        socket.data.groupId = groupId;
        const present = new Set(members.map((m) => m.member_id));
        for (const id of [...(socket.data.listed ?? [])])
          if (!present.has(id)) rosters.tell(socket, { groupId, left: id });
        rosters.announce({ groupId: previous, left: member.member_id });
      }
      for (const m of members) rosters.tell(socket, { groupId, joined: m });
      for (const change of held) if (change.groupId === groupId) rosters.tell(socket, change);
      if (seated) rosters.announce({ groupId, joined: member });
    } finally {
      rosters.release(socket);
    }
  }

  /** Once every live instance has re-seated its sockets, whoever is still missing has gone: lists drop them. */
  private async settle(): Promise<void> {
    const { server, store, rosters } = this.deps;
    const sockets = ([...server().of('/').sockets.values()] as SeatedSocket[]).filter(
      (s) => s.data.groupId && s.rooms.has(s.data.groupId) && s.data.listed && !rosters.isJoining(s),
    );
    // What each list showed before the rosters are read: a member told since is never dropped by mistake.
    const before = new Map(sockets.map((s) => [s, { groupId: s.data.groupId!, listed: [...s.data.listed!] }]));
    const members = new Map<string, Set<string>>();
    for (const { groupId } of before.values()) {
      if (!members.has(groupId)) members.set(groupId, new Set((await store.members(groupId)).map((m) => m.member_id)));
    }
    for (const [socket, { groupId, listed }] of before) {
      if (socket.data.groupId !== groupId) continue;
      for (const id of listed) if (!members.get(groupId)!.has(id)) rosters.tell(socket, { groupId, left: id });
    }
  }
}
