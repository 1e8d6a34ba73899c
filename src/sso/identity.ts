// What a sign-in proved, whatever the protocol: the shape the provisioning command takes.

export interface SignInIdentity {
  /** 'oidc:<issuer>' or 'ldap:<url>'; with externalId, the key of external_identities. */
  provider: string;
  /** OIDC `sub`; LDAP entryUUID (or the username when the server has none). */
  externalId: string;
  /** Only set when the identity provider vouches for it (email_verified === true, or LDAP). */
  email: string | null;
  userName: string | null;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  /** Group names from the groups claim / attribute; null when the IdP sent none. */
  groups: string[] | null;
  /** Human label for logs and audit rows, e.g. "oidc:okta". */
  label: string;
}
