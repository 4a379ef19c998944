// How `npm run calibrate` divides a labelled set: into a tuning and a held-out half, and into domains.

import { createHash } from 'node:crypto';

/**
 * Whether a pair belongs to the held-out half: decided by its source document alone (the parity of its text's
 * sha256), so no held-out pair shares its source with a tuning pair. Several pairs edit the same document, and
 * a split by line would show tuning on one as generalising to another.
 */
export function heldOut(source: string): boolean {
  return (createHash('sha256').update(source).digest()[0] as number) % 2 === 1;
}

/** The part of a set a pair comes from, read off its id: `summedits-news-…` → news, `xsumfaith-…-PtGen` → PtGen. */
export function domainOf(id: string): string {
  const parts = id.split('-');
  if (parts[0] === 'summedits' && parts.length > 2) return parts[1] as string;
  if (parts[0] === 'xsumfaith' && parts.length > 2) return parts[parts.length - 1] as string;
  return parts[0] ?? id;
}
