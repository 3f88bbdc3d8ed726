import {
  GROUP_CAPACITY,
  type GroupMember,
  type GroupStore,
  instanceOf,
  type JoinResult,
  type LeaveResult,
} from './group-store.js';

interface Seat {
  groupId: string;
  sockets: Set<string>;
}

/** One instance's groups. Each method runs to completion without awaiting, so it is atomic. */
export class MemoryGroupStore implements GroupStore {
  private readonly groups = new Map<string, Map<string, GroupMember>>();
  private readonly seats = new Map<string, Seat>();

  async join(member: GroupMember, socket: string, newGroupId: string, preferGroupId?: string): Promise<JoinResult> {
    const seat = this.seats.get(member.member_id);
    if (seat) {
      seat.sockets.add(socket);
      return { groupId: seat.groupId, seated: false, members: this.snapshot(seat.groupId) };
    }
    const preferred = preferGroupId !== undefined && (this.groups.get(preferGroupId)?.size ?? 0) < GROUP_CAPACITY;
    const groupId = preferred ? preferGroupId : (this.fullestOpenGroup() ?? newGroupId);
    let group = this.groups.get(groupId);
    if (!group) this.groups.set(groupId, (group = new Map()));
    group.set(member.member_id, member);
    this.seats.set(member.member_id, { groupId, sockets: new Set([socket]) });
    return { groupId, seated: true, members: this.snapshot(groupId) };
  }

  async leaveSocket(memberId: string, socket: string): Promise<LeaveResult | undefined> {
    const seat = this.seats.get(memberId);
    if (!seat || !seat.sockets.delete(socket)) return undefined;
    if (seat.sockets.size > 0) {
      return { groupId: seat.groupId, left: false, remaining: this.groups.get(seat.groupId)?.size ?? 0 };
    }
    return this.leaveMember(memberId);
  }

  async leaveMember(memberId: string): Promise<LeaveResult | undefined> {
    const seat = this.seats.get(memberId);
    if (!seat) return undefined;
    this.seats.delete(memberId);
    const group = this.groups.get(seat.groupId);
    group?.delete(memberId);
    const remaining = group?.size ?? 0;
    if (remaining === 0) this.groups.delete(seat.groupId);
    return { groupId: seat.groupId, left: true, remaining };
  }

  async members(groupId: string): Promise<GroupMember[]> {
    return this.snapshot(groupId);
  }

  async groupOf(memberId: string): Promise<string | undefined> {
    return this.seats.get(memberId)?.groupId;
  }

  async removeAll(): Promise<string[]> {
    const memberIds = [...this.seats.keys()];
    this.groups.clear();
    this.seats.clear();
    return memberIds;
  }

  async releaseInstance(instanceId: string): Promise<{ memberId: string; result: LeaveResult }[]> {
    const released: { memberId: string; result: LeaveResult }[] = [];
    for (const [memberId, seat] of [...this.seats]) {
      for (const socket of [...seat.sockets].filter((s) => instanceOf(s) === instanceId)) {
        const result = await this.leaveSocket(memberId, socket);
        if (result?.left) released.push({ memberId, result });
      }
    }
    return released;
  }

  /** One process: its sockets die with it, so there is never a stale instance and nothing is lost. */
  async heartbeat(): Promise<boolean> {
    return false;
  }

  async takeStaleInstances(): Promise<string[]> {
    return [];
  }

  private snapshot(groupId: string): GroupMember[] {
    return [...(this.groups.get(groupId)?.values() ?? [])];
  }

  private fullestOpenGroup(): string | undefined {
    let best: string | undefined;
    let bestSize = 0;
    for (const [id, group] of this.groups) {
      if (group.size < GROUP_CAPACITY && group.size > bestSize) [best, bestSize] = [id, group.size];
    }
    return best;
  }
}
