import type { AuthClaims } from '@carbon-nexus/plugin-sdk';

export interface GatewayContext {
  auth: AuthClaims | null;
  correlationId: string;
}
