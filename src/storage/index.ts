// Ports only: the adapters live in ./sqlite and ./postgres and are imported by the composition
// root, so that loading tools never loads a database driver (DESIGN §4).
export type {
  ArtifactModel,
  ArtifactPayload,
  ArtifactStore,
  ConsumeResult,
  MemoryStore,
  QueryEmbedding,
  Storage,
  StorageCapabilities,
  StoredEmbedding,
  TaskStore,
  StoredArtifact,
  UserStore,
} from './ports.js'
export { ARTIFACT_MODELS, GRANT_BOUND_MODELS, SECRET_ID_MODELS } from './ports.js'
