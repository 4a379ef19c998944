import type { ExportRecord } from './export-rows.js';

/** A document in Dolma's format (allenai/dolma): `id`, `text`, `source`, `added`, `created`, `metadata`. */
export interface DolmaDocument {
  id: string;
  text: string;
  source: string;
  added: string;
  created: string;
  metadata: ExportRecord['metadata'];
}

/** The same output and provenance, shaped for Dolma's tooling (taggers, dedupe, mixers). */
export function toDolma(rec: ExportRecord, exportedAt: string): DolmaDocument {
  return {
    id: rec.id,
    text: rec.text,
    source: `reword-${rec.metadata.style}`,
    added: exportedAt,
    created: exportedAt,
    metadata: rec.metadata,
  };
}
