import type { Server, Socket } from 'socket.io';
import type { GroupMember } from './group-store.js';

const ROSTER = 'study-groups:roster';

/** A member joined or left a group; each socket of the group is told once (see `tell`). */
export type RosterChange = { groupId: string } & ({ joined: GroupMember } | { left: string });

/** A socket with the list its client shows: its `groupInfo`, then the changes told since. */
type ListingSocket = Socket & { data: { listed?: Set<string> } };

/**
 * Joins and leaves are not room broadcasts: the PWA appends on `newMember` and replaces its list on
 * `groupInfo`, and with several instances a broadcast can overtake or trail a concurrent joiner's
 * `groupInfo` (a member listed twice, or lost). So each instance tells its own sockets, comparing with
 * what each socket already lists, and holds the changes for sockets still joining.
 */
export class GroupRosters {
  private server?: Server;
  /** Sockets whose join is in flight, with the roster changes held for them until their `groupInfo`. */
  private readonly joining = new Map<Socket, RosterChange[]>();

  /** `crossInstances`: roster changes travel to the other instances as server-side events (Redis adapter). */
  constructor(private readonly crossInstances: boolean) {}

  attach(server: Server): void {
    this.server = server;
    if (this.crossInstances) server.of('/').on(ROSTER, (change: RosterChange) => this.deliver(change));
  }

  announce(change: RosterChange): void {
    this.deliver(change);
    if (this.crossInstances) this.server?.serverSideEmit(ROSTER, change);
  }

  /** Starts holding the changes for a socket whose join is in flight; `release` hands them over. */
  hold(socket: Socket): RosterChange[] {
    const held: RosterChange[] = [];
    this.joining.set(socket, held);
    return held;
  }

  release(socket: Socket): void {
    this.joining.delete(socket);
  }

  isJoining(socket: Socket): boolean {
    return this.joining.has(socket);
  }

  /** Tells the socket what its list lacks: a member is listed once, and leaves once. */
  tell(socket: ListingSocket, change: RosterChange): void {
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

  private deliver(change: RosterChange): void {
    for (const held of this.joining.values()) held.push(change);
    const namespace = this.server?.of('/');
    for (const id of namespace?.adapter.rooms.get(change.groupId) ?? []) {
      const socket = namespace?.sockets.get(id);
      if (socket && !this.joining.has(socket)) this.tell(socket, change);
    }
  }
}
