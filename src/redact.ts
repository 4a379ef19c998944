/**
 * Returns a function that blanks every occurrence of the given secrets (API keys, tokens) in a text.
 * Applied to anything that leaves the process from an error path: ledger rows, logs, messages.
 */
export function makeRedactor(secrets: Array<string | undefined>): (text: string) => string {
  // Very short values would blank ordinary words; real keys are long.
  const live = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8))];
  if (live.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const s of live) out = out.split(s).join('[REDACTED]');
    return out;
  };
}
