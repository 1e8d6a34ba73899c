import emailProviders from 'email-providers/all.json' with { type: 'json' };
import { parse } from 'tldts';

// What no organization may claim (SPEC §1 "Claimed domain"), from maintained data pinned
// in package.json rather than a hand-typed list:
//  - public suffixes (co.uk, github.io, …): the Public Suffix List through tldts, private
//    section included, since names under github.io belong to different owners just as
//    those under co.uk do. A claim must be a registrable domain or a subdomain of one.
//    Names under a TLD the list does not know (acme.corp, acme.internal) are accepted:
//    deployments without public DNS use them, verified by an operator.
//  - public email providers (gmail.com, outlook.com, …): the `email-providers` package.
//    (`free-email-domains` fetches its list from the internet in a postinstall script,
//    which fails where only the npm registry is reachable and would make the data differ
//    from one install to the next.)
//  - what the operator adds in configuration (DOMAIN_REFUSE).
// A refused domain refuses its subdomains too: mail.gmail.com is no company's domain.

const EMAIL_PROVIDERS: ReadonlySet<string> = new Set(emailProviders);

export type RefusalReason = 'public_suffix' | 'email_provider' | 'refused_by_operator';

export interface DomainRefusal {
  reason: RefusalReason;
  message: string;
}

/** The domain itself, then each parent down to its registrable domain. */
function selfAndParents(domain: string, registrable: string): string[] {
  const out = [domain];
  let d = domain;
  while (d !== registrable && d.includes('.')) {
    d = d.slice(d.indexOf('.') + 1);
    out.push(d);
  }
  return out;
}

/** Why `domain` (already normalised) may not be claimed, or null when it may. */
export function domainRefusal(domain: string, operatorRefused: readonly string[] = []): DomainRefusal | null {
  const { domain: registrable } = parse(domain, { allowPrivateDomains: true });
  if (!registrable) {
    return {
      reason: 'public_suffix',
      message: `${domain} is a public suffix: the names under it belong to different owners (Public Suffix List), so it cannot be claimed. Claim your organization's own domain.`,
    };
  }
  const operator = new Set(operatorRefused);
  for (const d of selfAndParents(domain, registrable)) {
    const subject = d === domain ? `${domain} is` : `${domain} is under ${d}, which is`;
    if (operator.has(d)) {
      return { reason: 'refused_by_operator', message: `${subject} refused by this deployment's configuration (DOMAIN_REFUSE).` };
    }
    if (EMAIL_PROVIDERS.has(d)) {
      return { reason: 'email_provider', message: `${subject} a public email provider: its addresses belong to many unrelated people, so no organization can claim it.` };
    }
  }
  return null;
}
