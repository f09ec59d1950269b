// Which route a study takes, chosen by the AE titles of the association that brought it. Pure.

/** What a route is matched by: the config's routes and the publisher's own (machines/publisher/types.ts). */
export interface RouteMatch {
  match: { calledAe: readonly string[] | null; callingAe: readonly string[] | null };
}

export interface AeTitles {
  /** The AE title the sender called (ours); spaces around it do not count (PS3.5 VR AE). */
  calledAeTitle: string;
  /** The sender's own AE title. */
  callingAeTitle: string;
}

/**
 * The first route whose match accepts both AE titles, or undefined when none does (a configuration
 * without a catch-all route); the caller decides what an unrouted study does. A match of null
 * accepts any title; a list accepts the titles it holds, compared case-sensitively as DICOM does.
 */
export function chooseRoute<Route extends RouteMatch>(routes: readonly Route[], titles: AeTitles): Route | undefined {
  const called = titles.calledAeTitle.trim();
  const calling = titles.callingAeTitle.trim();
  return routes.find((route) => accepts(route.match.calledAe, called) && accepts(route.match.callingAe, calling));
}

function accepts(allowed: readonly string[] | null, title: string): boolean {
  return allowed === null || allowed.includes(title);
}
