/** A user: identified by (issuer, subject). Local mode has exactly one, with a fixed id. */
export interface User {
  id: string
  issuer: string
  subject: string
  createdAt: string
}

/** The single user of local (stdio) mode. HTTP mode creates users from verified tokens. */
export const LOCAL_USER_ID = '00000000-0000-4000-8000-000000000001'
