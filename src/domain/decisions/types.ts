// The decision API's vocabulary (issue 15): who asks about what. Plain data; the HTTP
// layer validates the shapes, src/domain/decisions answers them.

/** Whose access is asked about. */
export type PrincipalRef =
  | { type: 'person'; accountId: string }
  | { type: 'person'; memberId: string }
  /** The secret the platform was handed (a person's `obkey_…`, an admin key, a service account's `obsak_…`). */
  | { type: 'apiKey'; key: string }
  | { type: 'serviceAccount'; id: string };

/** Who created an owned object (run, report, sweep, artifact): for the catalog's "own" rules. */
export type OwnerRef = { accountId: string } | { memberId: string } | { serviceAccountId: string };

export const OBJECT_KINDS = ['run', 'report', 'sweep', 'artifact', 'experiment'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** What is acted on. Owned objects are not stored: the request carries their owner. */
export type ResourceRef =
  | { type: 'organization'; id: string }
  | { type: 'team'; id: string }
  | { type: 'project'; id: string }
  | { type: 'registry'; id: string }
  | { type: 'object'; kind: ObjectKind; project: string; owner: OwnerRef };

export interface DecisionRequest {
  principal: PrincipalRef;
  permission: string;
  resource: ResourceRef;
  /** WANDB_USERNAME / WANDB_USER_EMAIL of a run logged with a service account's key. */
  attributeTo?: string;
}

export interface DecisionResult {
  decision: 'allow' | 'deny';
  reason: string;
  /** The person a service account's run may be attributed to (when `attributeTo` was allowed). */
  attributedTo?: { memberId: string; accountId: string | null };
}

/** Which organizations the asker may ask about: one, every one, or a set. */
export type AskScope = { kind: 'all' } | { kind: 'orgs'; orgIds: ReadonlySet<string> };
