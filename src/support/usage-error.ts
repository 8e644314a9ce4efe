/** Bad input from a person: the CLI prints the message and exits 2; nothing is submitted. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  override name = 'UsageError';
}
