/**
 * How the address, route and neighbour functions name a link: a {@link Link} snapshot, or
 * a name / index resolved in the namespace the operation runs in.
 * @module
 */
import { ValidationError } from '../../errors.js';
import { Link, type LinkRef, validateLinkRef } from './link.js';
import type { Namespace } from '../namespace/namespace.js';

/** A link given to an operation in a namespace: a {@link Link}, or its name or index there. */
export type LinkArg = Link | LinkRef;

/** A link resolved for a request: its index, and a name for messages. */
export interface ResolvedLink {
  /** interface index in the namespace. */
  index: number;
  /** interface name when known (a Link or a name was given), otherwise `#index`. */
  label: string;
  /** the name, when known. */
  name: string | undefined;
}

/** Checks a LinkArg before any syscall (a Link must belong to `ns`). */
export function checkLinkArg(ns: Namespace, link: unknown, field: string): LinkArg {
  if (link instanceof Link) {
    if (!link.namespace.equals(ns)) {
      throw new ValidationError(field, link.name, `link ${link.name} is in namespace ${link.namespace.label}, not in ${ns.label}`);
    }
    return link;
  }
  return validateLinkRef(link, field);
}

/** A Link or an index resolved without a request; undefined for a name (see {@link resolveLink}). */
export function resolvedNow(link: LinkArg): ResolvedLink | undefined {
  if (link instanceof Link) return { index: link.index, label: link.name, name: link.name };
  if (typeof link === 'number') return { index: link, label: `#${link}`, name: undefined };
  return undefined;
}

/**
 * Resolves a link to its index: a Link or an index is used as is (no request), a name
 * is looked up in `ns` (ENODEV if there is none).
 */
export async function resolveLink(ns: Namespace, link: LinkArg): Promise<ResolvedLink> {
  if (link instanceof Link) return { index: link.index, label: link.name, name: link.name };
  if (typeof link === 'number') return { index: link, label: `#${link}`, name: undefined };
  const l = await ns.link(link);
  return { index: l.index, label: l.name, name: l.name };
}
