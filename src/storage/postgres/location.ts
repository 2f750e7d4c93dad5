/**
 * A connection string for humans: scheme, user, host, port and database only. The password,
 * and every query parameter (which may carry `password=` or key material), are left out.
 */
export function describeLocation(connectionString: string, schema: string): string {
  const suffix = schema === 'public' ? '' : ` (schema ${schema})`
  let url: URL
  try {
    url = new URL(connectionString)
  } catch {
    return `postgresql (connection string not shown)${suffix}`
  }
  const user = url.username === '' ? '' : `${url.username}@`
  const socket = url.host === '' ? url.searchParams.get('host') : null
  const via = socket === null ? '' : ` (host ${socket})`
  return `postgresql://${user}${url.host}${url.pathname}${via}${suffix}`
}
