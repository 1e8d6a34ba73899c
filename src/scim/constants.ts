// SCIM URNs and the media type (RFC 7643 §8.7, RFC 7644 §3.1, §8.1).

export const SCIM_MEDIA_TYPE = 'application/scim+json';

export const URN = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  /** orgbridge's own extension: organization role, seats, team roles. */
  orgbridgeUser: 'urn:orgbridge:params:scim:schemas:extension:orgbridge:2.0:User',
  /** Custom roles, as the seed product's SCIM API exposes them (not an IETF schema). */
  role: 'urn:ietf:params:scim:schemas:core:2.0:Role',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  bulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  bulkResponse: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;
