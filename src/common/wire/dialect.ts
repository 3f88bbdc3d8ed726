export type Dialect = 'nest' | 'spring';

// The former Spring server's path space (SPEC §1); it never collides with `/${API_PREFIX}`.
const SPRING_ROOTS = ['/v2', '/admin', '/characters'];

/** The one place that decides which wire dialect a request speaks, matched or not. */
export function dialectOf(url: string): Dialect {
  const path = url.split('?', 1)[0]!;
  return SPRING_ROOTS.some((root) => path === root || path.startsWith(`${root}/`)) ? 'spring' : 'nest';
}
