/**
 * What a gateway service is configured with: where it listens, whose tokens it accepts, which
 * ingress it trusts, where banks' webhooks may go, and the key rings every replica shares. One
 * frozen object, built and checked once at start by the composition root (app/settings.ts, from
 * the environment); the gateway reads nothing else.
 */

/** Whose access tokens the gateway accepts. */
export type Identity =
  /** The development key ring under .data/keys (the demo, tests, GETIHU_DEV_KEYS=1). */
  | { readonly kind: 'development' }
  /** The identity provider's: its JWKS, the issuer and audience its tokens carry. */
  | {
      readonly kind: 'provider';
      readonly jwksUrl: URL;
      readonly issuer: string;
      readonly audience: string;
      /** The regulator's console at the provider: its public client's id (null: the console takes a pasted token). */
      readonly consoleClientId: string | null;
      /** The resource indicator (RFC 8707) the console asks its token for, where the provider needs one. */
      readonly consoleResource: string | null;
    };

/** The settings of one gateway service. */
export interface GatewaySettings {
  readonly port: number;
  readonly host: string;
  readonly identity: Identity;
  /** The name badges and audit checkpoints are signed in, which platforms and auditors pin. */
  readonly serviceIssuer: string;
  /** The ingress trusted to forward the client's address (express's `trust proxy`); false: none. */
  readonly trustProxy: boolean | number | string;
  /** Where banks' webhooks may be delivered (comma-separated origins, as `parseWebhookOrigins` reads them). */
  readonly webhookOrigins: string;
  /** The key sealing webhook secrets (32 bytes, base64), shared by the replicas; null: a key file under .data/keys. */
  readonly webhookSecretsKey: string | null;
  /** The badge key ring (JSON), shared by the replicas; null: the development ring's file. */
  readonly badgeKeys: string | null;
  /** The audit checkpoint key ring (JSON), shared by the replicas; null: the development ring's file. */
  readonly checkpointKeys: string | null;
  /** How often the audit chain's head is signed (seconds). */
  readonly checkpointSeconds: number;
}
