import { describe, expect, it } from 'vitest';
import { decideRename, type RenameFacts } from './category-rules.js';

function facts(patch: Partial<RenameFacts>): RenameFacts {
  return { currentSubject: 'math', subject: 'physics', seenTargetId: null, targetId: null, ...patch };
}

describe('decideRename', () => {
  it('answers not found when the category is not the member live one', () => {
    expect(decideRename(facts({ currentSubject: undefined }))).toEqual({ kind: 'not-found' });
    expect(decideRename(facts({ currentSubject: undefined, seenTargetId: undefined, targetId: 7 }))).toEqual({
      kind: 'not-found',
    });
  });

  it('refuses a rename to the subject the category already has', () => {
    expect(decideRename(facts({ subject: 'math' }))).toEqual({ kind: 'nothing-to-change' });
    // Even when the lookup finds the category itself under that subject.
    expect(decideRename(facts({ subject: 'math', seenTargetId: 3, targetId: 3 }))).toEqual({
      kind: 'nothing-to-change',
    });
  });

  it('is case sensitive: a change of case is a change', () => {
    expect(decideRename(facts({ subject: 'Math' }))).toEqual({ kind: 'rename' });
  });

  it('renames when no live category has the subject, now or when the request arrived', () => {
    expect(decideRename(facts({}))).toEqual({ kind: 'rename' });
  });

  it('merges into the category that has the subject, the one the caller saw', () => {
    expect(decideRename(facts({ seenTargetId: 9, targetId: 9 }))).toEqual({ kind: 'merge', into: 9 });
  });

  it('answers subject taken when a plain rename finds the subject taken meanwhile', () => {
    expect(decideRename(facts({ seenTargetId: null, targetId: 9 }))).toEqual({ kind: 'subject-taken' });
  });

  it('answers target changed when the merge target went meanwhile', () => {
    expect(decideRename(facts({ seenTargetId: 9, targetId: null }))).toEqual({ kind: 'target-changed' });
  });

  it('answers target changed when another category took the subject in place of the one seen', () => {
    expect(decideRename(facts({ seenTargetId: 9, targetId: 12 }))).toEqual({ kind: 'target-changed' });
  });

  it('with nothing seen (the category was not the member one then), goes by what is there now', () => {
    expect(decideRename(facts({ seenTargetId: undefined, targetId: null }))).toEqual({ kind: 'rename' });
    expect(decideRename(facts({ seenTargetId: undefined, targetId: 4 }))).toEqual({ kind: 'merge', into: 4 });
  });
});
