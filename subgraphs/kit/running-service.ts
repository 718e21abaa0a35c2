import type { SignatureOptions } from './gateway-signature.ts';

/** Whether a service speaks GraphQL federation (behind /graphql) or plain REST (behind /api/v1). */
export type ServiceKind = 'subgraph' | 'rest';

/** A demo upstream listening on loopback, as tests and `npm start` hold it. */
export interface RunningService {
  readonly name: string;
  readonly kind: ServiceKind;
  /** Subgraphs: the GraphQL endpoint (`http://127.0.0.1:4001/graphql`); REST: the origin (`http://127.0.0.1:4010`). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish (bounded), then cuts what is left. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. Default: the service's own default port. */
  port?: number;
  /** Which gateway signatures are accepted. Default: `IDENTITY_SIGNING_KEYS` from the environment, else the dev key. */
  signature?: SignatureOptions;
}

/** A running REST service: `url` is its origin, with no path. */
export interface RunningRestService extends RunningService {
  readonly kind: 'rest';
}
