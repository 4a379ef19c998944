/** Process exit codes; the README's CLI reference lists them. */
export const ExitCode = {
  /** The run finished; rejections are a normal outcome. */
  ok: 0,
  /** Usage, configuration or unreadable input. */
  usage: 1,
  /** `verify` found problems in the ledger. */
  ledgerProblems: 2,
  /** A fatal provider error (bad key, forbidden) stopped the run. */
  fatalProvider: 3,
  /** Interrupted (Ctrl-C); the next run resumes. */
  interrupted: 130,
} as const;
