import { defineAuditDifferential } from './audit/audit-differential.ts';

/** Federation-gateway-audit suites, ours vs stock @apollo/gateway: quarter 2 of 4 (see audit/audit-differential.ts). */
await defineAuditDifferential(1, 4);
