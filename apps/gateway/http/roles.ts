/** The roles of the API (docs/api.md, Conventions (auth)). A route names the roles it accepts with `@Roles(...)`. */
export const ROLES = ['integrator', 'operator', 'approver', 'analyst', 'ops-lead', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `value` names one of the ROLES. */
export const isRole = (value: unknown): value is Role => ROLES.some((role) => role === value);

/** Who signed a person in (docs/sign-in.md, What the ledger records): recorded in the ledger metadata of their writes. */
export interface SignedIn {
  readonly issuer: string;
  readonly subject: string;
}

/**
 * Who called: resolved from the presented API key, bearer token or console session, attached to
 * the request as `req.principal`. `signedIn` only for a person signed in with OpenID Connect.
 */
export interface Principal {
  readonly id: string;
  readonly roles: readonly Role[];
  readonly signedIn?: SignedIn;
}
