// oidc-provider 9 ships no types; this covers what test/support/oidc-provider.ts uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface Grant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }
  interface KoaContext {
    path: string;
    method: string;
    body: unknown;
    oidc: {
      result?: { consent?: { grantId?: string } };
      session?: { grantIdFor(clientId: string): string | undefined; accountId?: string };
      client?: { clientId: string };
      provider: Provider;
    };
  }
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown> & {
      findAccount?: (ctx: KoaContext, id: string) => Promise<{ accountId: string; claims: () => Promise<Record<string, unknown>> } | undefined>;
      loadExistingGrant?: (ctx: KoaContext) => Promise<Grant | undefined>;
    });
    Grant: { new (init: { clientId: string; accountId: string }): Grant; find(id: string): Promise<Grant | undefined> };
    on(event: 'server_error', listener: (ctx: KoaContext, err: unknown) => void): this;
    use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
