/**
 * What a rename asks for, read under the member lock. `seenTargetId` is the live category that had
 * the subject when the request arrived (`null`: none; `undefined`: the category was not the
 * member's then, so there is nothing to compare); `targetId` is the one that has it now.
 */
export interface RenameFacts {
  currentSubject: string | undefined;
  subject: string;
  seenTargetId: number | null | undefined;
  targetId: number | null;
}

export type RenameDecision =
  | { kind: 'not-found' }
  | { kind: 'nothing-to-change' }
  | { kind: 'subject-taken' }
  | { kind: 'target-changed' }
  | { kind: 'merge'; into: number }
  | { kind: 'rename' };

/**
 * Renames, or merges into the category that already has the subject; but only what the caller saw:
 * a merge target that went meanwhile is `target-changed`, a subject taken meanwhile is `subject-taken`.
 */
export function decideRename(facts: RenameFacts): RenameDecision {
  if (facts.currentSubject === undefined) return { kind: 'not-found' };
  if (facts.currentSubject === facts.subject) return { kind: 'nothing-to-change' };
  if (facts.seenTargetId !== undefined && facts.seenTargetId !== facts.targetId) {
    return facts.seenTargetId === null ? { kind: 'subject-taken' } : { kind: 'target-changed' };
  }
  return facts.targetId === null ? { kind: 'rename' } : { kind: 'merge', into: facts.targetId };
}
