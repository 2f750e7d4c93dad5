/** Transports: how the assistant reaches clients. Local mode is stdio. */
export { startStdioServer } from './stdio.js'
export type { StdioServerOptions, RunningStdioServer, LocalBackend } from './stdio.js'
