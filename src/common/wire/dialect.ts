export type Dialect = 'nest' | 'spring';

/**
 * The former Spring server's roots (docs/routes.md), each with the route paths it holds: those keep their own
 * paths (outside API_PREFIX) and speak the Spring dialect. Under `admin` only these three: the statistics
 * jobs' admin routes are ours, under the prefix, and a path under the prefix never matches a root.
 */
export const SPRING_ROOTS: Readonly<Record<string, readonly string[]>> = {
  v2: ['v2'],
  admin: ['admin/palettes', 'admin/characters', 'admin/members'],
  characters: ['characters'],
};

const roots = Object.keys(SPRING_ROOTS).map((root) => `/${root}`);

/** The one place that decides which wire dialect a request speaks, matched or not. */
export function dialectOf(url: string): Dialect {
  const path = url.split('?', 1)[0]!;
  return roots.some((root) => path === root || path.startsWith(`${root}/`)) ? 'spring' : 'nest';
}
