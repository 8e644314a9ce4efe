// Where the ledger is: `ledger.url` (a PostgreSQL shared by the fleet) or the embedded one `nightshift dev` serves.
import { SECRET_PARAMS, urlSecrets } from '../support/secrets.js';

/** The config's `ledger` block (structural: the ledger layer does not import config). */
export interface LedgerSettings {
  ledger: { url?: string | undefined; devPort: number };
}

/** The embedded ledger on this host: PGlite over the wire protocol, which takes any user and no password. */
export const embeddedLedgerUrl = (port: number): string => `postgres://postgres@127.0.0.1:${port}/postgres`;

export const ledgerUrl = (config: LedgerSettings): string =>
  config.ledger.url ?? embeddedLedgerUrl(config.ledger.devPort);

/** The URL without its password, for messages and logs; text that is not a URL is replaced whole. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    for (const key of [...u.searchParams.keys()])
      if ((SECRET_PARAMS as readonly string[]).includes(key.toLowerCase())) u.searchParams.set(key, '****');
    return u.toString();
  } catch {
    return '(an unparsable ledger URL)';
  }
}

/** `text` with every occurrence of the URL's password masked (an error message that quotes it). */
export function maskPassword(text: string, url: string): string {
  const secrets = URL.canParse(url) ? urlSecrets(url) : [url];
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join('****'), text);
}
