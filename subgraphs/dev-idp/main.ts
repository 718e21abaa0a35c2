import { runMain } from '../kit/run-main.ts';
import { startDevIdp } from './index.ts';

// DEV_IDP_ISSUER / DEV_IDP_AUDIENCE must match the gateway's JWT_ISSUER / JWT_AUDIENCE.
const issuer = process.env.DEV_IDP_ISSUER || undefined;
const audience = process.env.DEV_IDP_AUDIENCE || undefined;
process.stdout.write('dev-idp: a DEMO identity provider; it signs a token for anyone who asks. Local demos only.\n');
runMain((options) => startDevIdp({ ...options, issuer, audience }));
