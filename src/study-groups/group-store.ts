/** A member as the room shows them (`newMember` / `groupInfo`). */
export interface GroupMember {
  member_id: string;
  image_url: string | null;
  nickname: string;
  joinedAtUTC: string;
}

export const GROUP_CAPACITY = 8;
export const GROUP_STORE = Symbol('GROUP_STORE');

export interface JoinResult {
  groupId: string;
  /** False when the member already had a seat (another socket, or a repeated join). */
  seated: boolean;
  /** The group right after this join, the joiner included: read atomically with it. */
  members: GroupMember[];
}

export interface LeaveResult {
  groupId: string;
  /** True when the member's last socket left and the seat was given up. */
  left: boolean;
  /** Members still in the group (0: the group is gone). */
  remaining: number;
}

/**
 * Group state behind one interface: in memory for one instance, in Redis for many. `join` is atomic:
 * a group never holds more than GROUP_CAPACITY members and a member never holds two seats, whatever
 * the number of sockets or instances. Sockets are named `instanceId:socketId`, so the sockets of an
 * instance that died can be found and released.
 */
export interface GroupStore {
  /**
   * Seats the member in `preferGroupId` if it has a free seat (a re-seat after the store lost its state),
   * else in the fullest open group (or `newGroupId`); or adds the socket to the member's seat.
   */
  join(member: GroupMember, socket: string, newGroupId: string, preferGroupId?: string): Promise<JoinResult>;
  /** Removes one socket; the seat goes with the member's last socket. */
  leaveSocket(memberId: string, socket: string): Promise<LeaveResult | undefined>;
  /** Gives up the member's seat whatever sockets remain (explicit leave, account deletion). */
  leaveMember(memberId: string): Promise<LeaveResult | undefined>;
  members(groupId: string): Promise<GroupMember[]>;
  groupOf(memberId: string): Promise<string | undefined>;
  /** Removes every group; returns the member ids that had a seat. */
  removeAll(): Promise<string[]>;
  /** Releases every socket of an instance (one that stopped or died); returns what was released. */
  releaseInstance(instanceId: string): Promise<{ memberId: string; result: LeaveResult }[]>;
  /**
   * Marks the instance alive at `nowMs`. True when the store no longer knew the instance (its first beat,
   * Redis restarted empty, or it was swept as dead): the seats of its sockets may be gone.
   */
  heartbeat(instanceId: string, nowMs: number): Promise<boolean>;
  /** Instances whose last heartbeat is older than `nowMs - ttlMs` (they crashed); forgets them. */
  takeStaleInstances(nowMs: number, ttlMs: number): Promise<string[]>;
}

export const socketRef = (instanceId: string, socketId: string) => `${instanceId}:${socketId}`;
export const instanceOf = (ref: string) => ref.slice(0, ref.indexOf(':'));
